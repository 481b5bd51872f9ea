import { type PerformanceEntry, PerformanceObserver, constants } from 'node:perf_hooks';
import seedrandom from 'seedrandom';
import { CONSUMER, PROVIDER } from '../src/analytics/graph/csr';
import type { RelationStore } from '../src/analytics/serving/store';
import type { RelationRecord as RelationFacts } from '../src/db/graph-source';
import {
  DEFAULT_RECOMMENDATION_OPTIONS,
  ProviderItemModel,
  neighborsOf,
  recommendProviders,
  similarConsumers,
  similarProviders,
} from '../src/analytics/graph/recommendations';
import { EASE_MAX_PROVIDERS } from '../src/analytics/graph/kernels/item-models';
import { recommendByPersonalizedPagerank } from '../src/analytics/graph/kernels/personalized-pagerank';
import { DEFAULT_METHOD_OPTIONS, type ItemModelMethod, packedItemModel } from '../src/analytics/graph/recommender-methods';
import { runTask } from '../src/analytics/serving/tasks';
import { ALL_KINDS_MASK } from '../src/analytics/graph/snapshot';
import { timeOnce } from './measure';
import { formatTable, relationsArgument } from './cli';
import { generateRelationStore } from '../src/bulk/synthetic-platform';

/**
 * Latency of the recommendation queries, answered on the live RelationStore from co-consumption
 * rows computed on demand (RP3β), from item models built once per snapshot (EASE, item-kNN: the
 * build as the worker runs it, then the request thread's scoring) and by personalized PageRank
 * (the worker's per-question task), and of the writes to the store, on a synthetic graph:
 *
 *   NODE_OPTIONS=--max-old-space-size=8192 npx tsx bench/recommendations.ts [--relations 1000000]
 *
 * Each phase also reports the major (stop-the-world) GC pauses that fell into it: on a heap of
 * several hundred MB one pause can outlast thousands of queries, and it lands in the max column.
 */

const SEED = 'rapport';
const SAMPLES = 2_000;
// Untimed calls first, so that the percentiles measure compiled code rather than the JIT.
const WARMUP_CALLS = 200;
const FIRST = 20;
/** Personalized PageRank iterates over the whole graph per question: fewer samples. */
const PAGERANK_SAMPLES = 50;

async function main(argv = process.argv.slice(2)): Promise<void> {
  const relations = relationsArgument(argv, 1_000_000);
  const random = seedrandom(SEED);

  const graphBuild = await phase(() => timeOnce(() => generateRelationStore({ relations, seed: SEED })));
  const graph = graphBuild.result.result;
  const consumers = nodesOf(graph, CONSUMER);
  const providers = nodesOf(graph, PROVIDER);

  console.log(
    `Recommendations: ${relations} relations, ${consumers.length} consumers, ${providers.length} providers, ` +
      `${graph.size} pairs, max consumer degree ${maxDegree(graph, consumers)}\n`,
  );
  const builds = [['build', 'ms', 'major GC ms (pauses)'], ['store (synthetic generator)', graphBuild.result.ms.toFixed(0), graphBuild.majorGc]];

  const anyConsumer = () => consumers[Math.floor(random() * consumers.length)];
  const anyProvider = () => providers[Math.floor(random() * providers.length)];
  const options = { ...DEFAULT_RECOMMENDATION_OPTIONS, first: FIRST };
  const rows = [['operation', 'calls', 'median ms', 'p99 ms', 'max ms', 'major GC ms (pauses)']];
  const methods = await methodRows(graph, anyConsumer, builds);
  console.log(formatTable(builds));
  console.log();
  rows.push(await latencyRow(`recommendProviders top-${FIRST}, beta=${options.beta}`, () => recommendProviders(graph, anyConsumer(), options)));
  rows.push(...methods);
  rows.push(await latencyRow(`similarProviders top-${FIRST}`, () => similarProviders(graph, anyProvider(), FIRST)));
  rows.push(await latencyRow(`similarConsumers top-${FIRST}`, () => similarConsumers(graph, anyConsumer(), FIRST)));

  const newPair = newPairPicker(graph, anyConsumer, anyProvider);
  removeAll(graph, addNewPairs(graph, WARMUP_CALLS, newPair).relations);
  const adds = await phase(() => addNewPairs(graph, SAMPLES, newPair));
  const removes = await phase(() => removeAll(graph, adds.result.relations));
  rows.push([...summary('relation on a new pair (store write)', adds.result.durations), adds.majorGc]);
  rows.push([...summary('removeRelation, pair dropped (store write)', removes.result), removes.majorGc]);
  console.log(formatTable(rows));
}

/**
 * EASE (up to its provider bound) and item-kNN: the model's build on a snapshot, as the worker's
 * `itemModel` task runs it (a build row each), then scoring a consumer's current row with it;
 * personalized PageRank per question, as the worker's task computes it.
 */
async function methodRows(graph: RelationStore, anyConsumer: () => number, builds: string[][]): Promise<string[][]> {
  const snapshot = graph.snapshot('bench', 0);
  const providerCount = snapshot.sides.filter((side) => side === PROVIDER).length;
  const methods: ItemModelMethod[] = providerCount <= EASE_MAX_PROVIDERS ? ['EASE', 'ITEM_KNN'] : ['ITEM_KNN'];
  const rows: string[][] = [];
  const options = { ...DEFAULT_RECOMMENDATION_OPTIONS, first: FIRST };
  for (const method of methods) {
    const task = { type: 'itemModel', method, methods: DEFAULT_METHOD_OPTIONS, kinds: ALL_KINDS_MASK } as const;
    const built = await phase(() => timeOnce(() => runTask(snapshot, task)));
    builds.push([`${method} item model (${providerCount} providers, worker task)`, built.result.ms.toFixed(0), built.majorGc]);
    const model = new ProviderItemModel(built.result.result);
    rows.push(await latencyRow(`${method} from its model top-${FIRST}`, () => {
      const consumer = anyConsumer();
      return model.recommend(graph, neighborsOf(graph, consumer), options);
    }));
  }
  const scoring = { ...DEFAULT_METHOD_OPTIONS.personalizedPagerank, first: FIRST, reasons: options.reasons, ids: snapshot.ids };
  rows.push(await latencyRow(`personalized PageRank top-${FIRST} (worker task)`, () => {
    const consumer = anyConsumer();
    return recommendByPersonalizedPagerank(snapshot.csr, snapshot.sides, consumer, scoring);
  }, PAGERANK_SAMPLES));
  if (providerCount > EASE_MAX_PROVIDERS) builds.push([`EASE item model: not built, ${providerCount} providers > ${EASE_MAX_PROVIDERS}`, '', '']);
  return rows;
}

type GcEntry = PerformanceEntry & { detail?: { kind?: number } };

/** Runs a synchronous phase and collects the major GC pauses within it, which arrive a macrotask later. */
async function phase<T>(run: () => T): Promise<{ result: T; majorGc: string }> {
  let pauseMs = 0;
  let pauses = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as GcEntry).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      pauseMs += entry.duration;
      pauses++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const result = run();
  await new Promise((resolve) => setTimeout(resolve, 0));
  observer.disconnect();
  return { result, majorGc: `${pauseMs.toFixed(0)} (${pauses})` };
}

async function latencyRow(label: string, call: () => unknown, samples = SAMPLES): Promise<string[]> {
  for (let warmup = 0; warmup < Math.min(WARMUP_CALLS, samples); warmup++) call();
  const timed = await phase(() => Array.from({ length: samples }, () => timeOnce(call).ms));
  return [...summary(label, timed.result), timed.majorGc];
}

/** Relations on `count` pairs that had none, each add timed: the store gains a delta pair. */
function addNewPairs(graph: RelationStore, count: number, newPair: () => RelationFacts): { relations: RelationFacts[]; durations: number[] } {
  const relations: RelationFacts[] = [];
  const durations: number[] = [];
  for (let call = 0; call < count; call++) {
    const relation = newPair();
    durations.push(timeOnce(() => graph.relation(relation)).ms);
    relations.push(relation);
  }
  return { relations, durations };
}

/** Removes each relation, timed: each is its pair's only one, so its pair goes. */
function removeAll(graph: RelationStore, relations: RelationFacts[]): number[] {
  return relations.map((relation) => timeOnce(() => graph.removeRelation(relation)).ms);
}

function newPairPicker(graph: RelationStore, anyConsumer: () => number, anyProvider: () => number): () => RelationFacts {
  return () => {
    for (;;) {
      const consumerId = graph.idOf(anyConsumer());
      const providerId = graph.idOf(anyProvider());
      if (graph.pairOf(consumerId, providerId) !== -1) continue;
      return {
        consumerId,
        providerId,
        kind: 'FAVORITE',
        occurredAt: Date.UTC(2026, 0, 1),
        amountMinor: null,
        currency: null,
        rating: null,
      };
    }
  };
}

function summary(label: string, durations: number[]): string[] {
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
  return [label, String(sorted.length), at(0.5).toFixed(3), at(0.99).toFixed(3), sorted[sorted.length - 1].toFixed(3)];
}

function nodesOf(graph: RelationStore, side: number): number[] {
  return Array.from({ length: graph.nodeBound }, (_, node) => node).filter((node) => graph.isNode(node) && graph.sideOf(node) === side);
}

function maxDegree(graph: RelationStore, nodes: number[]): number {
  return nodes.reduce((max, node) => Math.max(max, graph.degree(node)), 0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
