import { consumerToProvider } from '../test/support/oracles/directed';
import { connectedComponents as graphologyComponents } from 'graphology-components';
import betweennessCentrality from 'graphology-metrics/centrality/betweenness';
import closenessCentrality from 'graphology-metrics/centrality/closeness';
import { degreeCentrality } from 'graphology-metrics/centrality/degree';
import eigenvectorCentrality from 'graphology-metrics/centrality/eigenvector';
import hits from 'graphology-metrics/centrality/hits';
import pagerank from 'graphology-metrics/centrality/pagerank';
import seedrandom from 'seedrandom';
import { snapshotAdjacency } from '../src/analytics/graph/adjacency';
import { edgeEnds } from '../src/analytics/graph/snapshot';
import type { EdgeAttributes, RelationGraph } from '../src/analytics/graph/relation-graph';
import { CONSUMER, type Csr, csrFromEdges, PROVIDER } from '../src/analytics/graph/csr';
import { betweenness, betweennessCentrality as betweennessKernel } from '../src/analytics/graph/kernels/betweenness';
import { closenessCentrality as closenessKernel } from '../src/analytics/graph/kernels/closeness';
import { CoConsumptionRow, coConsumptionIndex } from '../src/analytics/graph/kernels/co-consumption';
import { connectedComponents } from '../src/analytics/graph/kernels/components';
import { degreeCentrality as degreeKernel, weightedDegree } from '../src/analytics/graph/kernels/degree';
import { eigenvectorCentrality as eigenvectorKernel } from '../src/analytics/graph/kernels/eigenvector';
import { hits as hitsKernel } from '../src/analytics/graph/kernels/hits';
import { DEFAULT_ITERATION } from '../src/analytics/graph/kernels/iteration';
import { pagerank as pagerankKernel } from '../src/analytics/graph/kernels/pagerank';
import { similarNodes } from '../src/analytics/graph/kernels/similarity';
import { similarConsumers } from '../src/analytics/graph/recommendations';
import { sampledBetweenness } from '../test/support/oracles/sampled-betweenness';
import { generateRelationGraph } from '../src/bulk/synthetic-platform';
import { formatTable, relationsArgument } from './cli';
import { timeOnce } from './measure';

/**
 * The CSR kernels (src/analytics/graph/kernels) against the graphology code they replace, on the
 * same synthetic platform in the same run, and PageRank, eigenvector and HITS warm-started after
 * one new relation against a cold start:
 *
 *   NODE_OPTIONS=--max-old-space-size=8192 npx tsx bench/kernels.ts [--relations 1000000] [--warm-start-only]
 *
 * Path metrics are O(n·m) exactly, so exact closeness and betweenness run on a platform of at
 * most 20,000 relations, and sampled betweenness (64 sources) on the full one.
 */

const SEED = 'rapport';
const EXACT_PATH_RELATIONS = 20_000;
const BETWEENNESS_SAMPLES = 64;
const SIMILARITY_QUERIES = 200;
const WARM_UP_RELATIONS = 2_000;

interface Twin {
  graph: RelationGraph;
  csr: Csr;
  sides: Uint8Array;
  counts: Float64Array;
}

function main(argv = process.argv.slice(2)): void {
  const relations = relationsArgument(argv, 1_000_000);
  const twin = platform(relations);
  console.log(`Kernels: ${relations} relations, ${twin.graph.order} nodes, ${twin.graph.size} pairs\n`);

  // A first pass on a tiny platform compiles both sides' code, so that timings measure it compiled.
  warmStartRows(platform(WARM_UP_RELATIONS));
  if (!argv.includes('--warm-start-only')) {
    comparisonRows(platform(WARM_UP_RELATIONS), platform(WARM_UP_RELATIONS));
    const small = relations > EXACT_PATH_RELATIONS ? platform(EXACT_PATH_RELATIONS) : twin;
    console.log(formatTable(comparisonRows(twin, small)));
    console.log();
  }
  console.log(formatTable(warmStartRows(twin)));
}

/** Each metric timed on both sides; exact path metrics on `small`. */
function comparisonRows(twin: Twin, small: Twin): string[][] {
  const { graph, csr, sides, counts } = twin;
  const getCount = (_edge: string, attributes: EdgeAttributes) => attributes.count;
  const directed = consumerToProvider(graph);
  const byNode = (values: Record<string, number>) => Float64Array.from(graph.nodes(), (node) => values[node]);
  const rows: string[][] = [['metric', 'kernel ms', 'graphology ms', 'graphology / kernel', 'max relative difference']];
  const compare = (metric: string, kernel: () => Float64Array, oracle: () => Float64Array) => rows.push(row(metric, kernel, oracle));

  compare('DEGREE', () => degreeKernel(csr), () => byNode(degreeCentrality(graph)));
  compare('WEIGHTED_DEGREE (count)', () => weightedDegree(csr, counts), () =>
    Float64Array.from(graph.nodes(), (node) => graph.reduceEdges(node, (sum, _edge, attributes) => sum + attributes.count, 0)),
  );
  compare('PAGERANK', () => pagerankKernel(csr).scores, () => byNode(pagerank(graph, { alpha: 0.85, getEdgeWeight: null, ...DEFAULT_ITERATION })));
  compare('PAGERANK (count)', () => pagerankKernel(csr, { weights: counts }).scores, () =>
    byNode(pagerank(graph, { alpha: 0.85, getEdgeWeight: getCount, ...DEFAULT_ITERATION })),
  );
  compare('EIGENVECTOR', () => eigenvectorKernel(csr).scores, () => byNode(eigenvectorCentrality(graph, { getEdgeWeight: null, ...DEFAULT_ITERATION })));
  compare('HITS_HUB', () => hitsKernel(csr, sides).hubs, () =>
    // Its tolerance is absolute: scaled as the kernel scales it, or it never converges at 1M.
    byNode(hits(directed, { getEdgeWeight: null, normalize: true, ...DEFAULT_ITERATION, tolerance: graph.order * DEFAULT_ITERATION.tolerance }).hubs),
  );
  compare('components (sizes)', () => Float64Array.from(connectedComponents(csr).sizes).sort(), () =>
    Float64Array.from(graphologyComponents(graph), (members) => members.length).sort(),
  );
  compare(`BETWEENNESS sampled, k = ${BETWEENNESS_SAMPLES}`, () => betweenness(csr, sampled()).scores, () =>
    sampledBetweenness(graph, { samples: BETWEENNESS_SAMPLES, seed: SEED, getEdgeLength: null }),
  );
  rows.push(similarityRow(twin));
  rows.push(coConsumptionRow(twin));

  const smallByNode = (values: Record<string, number>) => Float64Array.from(small.graph.nodes(), (node) => values[node]);
  const exactLabel = `(${small.graph.order} nodes)`;
  compare(`CLOSENESS exact ${exactLabel}`, () => closenessKernel(small.csr), () =>
    smallByNode(closenessCentrality(small.graph, { wassermanFaust: false })),
  );
  compare(`BETWEENNESS exact ${exactLabel}`, () => betweennessKernel(small.csr), () =>
    smallByNode(betweennessCentrality(small.graph, { normalized: true, getEdgeWeight: null })),
  );
  return rows;
}

function sampled() {
  return { exactMaxNodes: 0, samples: BETWEENNESS_SAMPLES, seed: SEED };
}

function row(metric: string, kernel: () => Float64Array, oracle: () => Float64Array): string[] {
  const ours = timeOnce(kernel);
  const theirs = timeOnce(oracle);
  return [
    metric,
    ours.ms.toFixed(1),
    theirs.ms.toFixed(1),
    (theirs.ms / ours.ms).toFixed(1),
    maxRelativeDifference(ours.result, theirs.result).toExponential(1),
  ];
}

/** similarConsumers for random consumers: the two-hop kernel against the per-node walk the API runs on the store. */
function similarityRow({ graph, csr, sides }: Twin): string[] {
  const random = seedrandom(SEED);
  const consumers = Int32Array.from(sides.keys()).filter((node) => sides[node] === CONSUMER);
  const picked = Array.from({ length: SIMILARITY_QUERIES }, () => consumers[Math.floor(random() * consumers.length)]);
  const keys = graph.nodes();
  const ids = Int32Array.from(keys, (key) => graph.getNodeAttribute(key, 'id'));
  const ours = timeOnce(() => picked.flatMap((node) => similarNodes(csr, node, 20, ids).map((entry) => entry.similarity)));
  const adjacency = snapshotAdjacency({ key: 'twin', version: 0, sides, ids, csr, ends: edgeEnds(csr), kindCounts: new Int32Array(0) });
  const theirs = timeOnce(() => picked.flatMap((node) => similarConsumers(adjacency, node, 20).map((entry) => entry.similarity)));
  return [
    `similar consumers (${SIMILARITY_QUERIES} queries)`,
    ours.ms.toFixed(1),
    theirs.ms.toFixed(1),
    (theirs.ms / ours.ms).toFixed(1),
    maxRelativeDifference(Float64Array.from(ours.result), Float64Array.from(theirs.result)).toExponential(1),
  ];
}

/** The co-consumption index: built from the CSR in one pass, against every provider's row computed on demand. */
function coConsumptionRow({ graph, csr, sides }: Twin): string[] {
  const ours = timeOnce(() => coConsumptionIndex(csr, sides));
  const ids = Int32Array.from(graph.nodes(), (key) => graph.getNodeAttribute(key, 'id'));
  const adjacency = snapshotAdjacency({ key: 'twin', version: 0, sides, ids, csr, ends: edgeEnds(csr), kindCounts: new Int32Array(0) });
  const row = new CoConsumptionRow(csr.nodeCount);
  const theirs = timeOnce(() => {
    let entries = 0;
    for (let node = 0; node < csr.nodeCount; node++) if (sides[node] === PROVIDER) entries += row.fill(adjacency, node).partners.length;
    return entries;
  });
  const theirEntries = theirs.result;
  const same = theirEntries === ours.result.partners.length ? 'same entry count' : `${ours.result.partners.length} vs ${theirEntries} entries`;
  return ['co-consumption index build', ours.ms.toFixed(1), theirs.ms.toFixed(1), (theirs.ms / ours.ms).toFixed(1), same];
}

/** One new relation between a consumer and a provider it had none with, then warm vs cold. */
function warmStartRows({ csr, sides, counts }: Twin): string[][] {
  const changed = withOneNewEdge(csr, sides);
  const changedCounts = new Float64Array(counts.length + 1);
  changedCounts.set(counts);
  changedCounts[counts.length] = 1;
  const rows = [['after one new relation', 'cold ms', 'cold iterations', 'warm ms', 'warm iterations', 'warm / cold time', 'max relative difference']];
  const measure = (metric: string, run: (on: Csr, weights: Float64Array, start?: Float64Array) => { scores: Float64Array; iterations: number }) => {
    const previous = run(csr, counts);
    const cold = timeOnce(() => run(changed, changedCounts));
    const warm = timeOnce(() => run(changed, changedCounts, previous.scores));
    rows.push([
      metric,
      cold.ms.toFixed(1),
      String(cold.result.iterations),
      warm.ms.toFixed(1),
      String(warm.result.iterations),
      (warm.ms / cold.ms).toFixed(3),
      maxRelativeDifference(warm.result.scores, cold.result.scores).toExponential(1),
    ]);
  };
  // Ordered by the sides, as serving/tasks.ts runs it.
  measure('PAGERANK (count)', (on, weights, start) => pagerankKernel(on, { weights, start, colours: sides }));
  measure('EIGENVECTOR (count)', (on, weights, start) => eigenvectorKernel(on, { weights, start }));
  measure('HITS_HUB (count)', (on, weights, start) => {
    const { hubs, iterations } = hitsKernel(on, sides, { weights, start });
    return { scores: hubs, iterations };
  });
  return rows;
}

function withOneNewEdge(csr: Csr, sides: Uint8Array): Csr {
  const sources = new Int32Array(csr.edgeCount + 1);
  const targets = new Int32Array(csr.edgeCount + 1);
  for (let node = 0; node < csr.nodeCount; node++) {
    for (let entry = csr.offsets[node]; entry < csr.offsets[node + 1]; entry++) {
      if (node < csr.neighbors[entry]) {
        sources[csr.edges[entry]] = node;
        targets[csr.edges[entry]] = csr.neighbors[entry];
      }
    }
  }
  const [consumer, provider] = unlinkedPair(csr, sides);
  sources[csr.edgeCount] = consumer;
  targets[csr.edgeCount] = provider;
  return csrFromEdges(csr.nodeCount, sources, targets);
}

/** The first consumer, and the first provider it has no relation with. */
function unlinkedPair(csr: Csr, sides: Uint8Array): [consumer: number, provider: number] {
  for (let consumer = 0; consumer < csr.nodeCount; consumer++) {
    if (sides[consumer] !== CONSUMER) continue;
    const linked = new Set(csr.neighbors.subarray(csr.offsets[consumer], csr.offsets[consumer + 1]));
    const provider = sides.findIndex((side, node) => side === PROVIDER && !linked.has(node));
    if (provider >= 0) return [consumer, provider];
  }
  throw new Error('every consumer already has a relation with every provider');
}

/** The synthetic platform as a graphology graph and as a CSR with the same node and edge order. */
function platform(relations: number): Twin {
  const graph = generateRelationGraph({ relations, seed: SEED });
  const indexOf = new Map(graph.nodes().map((node, index) => [node, index]));
  const sides = Uint8Array.from(graph.nodes(), (node) => (graph.getNodeAttribute(node, 'side') === 'consumer' ? CONSUMER : PROVIDER));
  const sources = new Int32Array(graph.size);
  const targets = new Int32Array(graph.size);
  const counts = new Float64Array(graph.size);
  let edge = 0;
  graph.forEachEdge((_edge, attributes, source, target) => {
    sources[edge] = indexOf.get(source)!;
    targets[edge] = indexOf.get(target)!;
    counts[edge++] = attributes.count;
  });
  return { graph, csr: csrFromEdges(graph.order, sources, targets), sides, counts };
}


function maxRelativeDifference(ours: Float64Array, theirs: Float64Array): number {
  if (ours.length !== theirs.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  ours.forEach((value, index) => {
    const scale = Math.max(Math.abs(theirs[index]), 1e-300);
    if (value !== theirs[index]) worst = Math.max(worst, Math.abs(value - theirs[index]) / scale);
  });
  return worst;
}

if (require.main === module) main();
