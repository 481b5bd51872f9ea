import { decodeGlobalID } from '@pothos/plugin-relay';
import { UndirectedGraph } from 'graphology';
import { connectedComponents } from 'graphology-components';
import pagerank from 'graphology-metrics/centrality/pagerank';
import seedrandom from 'seedrandom';
import { nodeKey, partyOf } from '../../src/analytics/graph/adjacency';
import type { RelationStore } from '../../src/analytics/serving/store';
import { analytics } from '../../src/analytics/serving';
import { ALL_KINDS_MASK } from '../../src/analytics/graph/snapshot';
import { createConsumer, createProvider, recordRelation } from '../support/factories';
import { run } from '../support/graphql';

// A model-based test: random writes (parties created and deleted, relations recorded and deleted)
// run concurrently with whole-graph questions, EVENTUAL and LATEST. For every snapshot the server
// takes, the test records the live graph at that moment; every answer must equal what
// graphology-metrics computes on the graph of the version the answer reports.

interface Recorded {
  graph: UndirectedGraph;
}

const recorded = new Map<number, Recorded>();
const random = seedrandom('live-model');
const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];

beforeAll(async () => {
  await analytics().projection.refresh();
  const projection = analytics().projection;
  const take = projection.snapshot.bind(projection);
  jest.spyOn(projection, 'snapshot').mockImplementation(() => {
    const snapshot = take();
    if (!recorded.has(snapshot.version)) recorded.set(snapshot.version, { graph: copyOf(projection.view().store) });
    return snapshot;
  });
});

/** A plain graphology copy of the live store, read pair by pair (not through its snapshot): nodes, and edges weighted by their relation count. */
function copyOf(live: RelationStore): UndirectedGraph {
  const graph = new UndirectedGraph();
  const keyOf = (node: number) => nodeKey(partyOf(live, node).party, partyOf(live, node).id);
  for (let node = 0; node < live.nodeBound; node++) {
    if (live.isNode(node)) graph.addNode(keyOf(node), { side: partyOf(live, node).party, id: live.idOf(node) });
  }
  for (let node = 0; node < live.nodeBound; node++) {
    if (!live.isNode(node) || live.sideOf(node) !== 0) continue;
    live.forEachPair(node, (pair, provider) => graph.addEdge(keyOf(node), keyOf(provider), { count: live.summary(pair, ALL_KINDS_MASK).count }));
  }
  return graph;
}

const QUESTIONS = `query ($consistency: Consistency) {
  pagerank: providerRanking(metric: PAGERANK, first: 1000, consistency: $consistency) { graphVersion entries { score provider { id } } }
  weighted: providerRanking(metric: PAGERANK, weight: COUNT, first: 1000, consistency: $consistency) { graphVersion entries { score provider { id } } }
  degree: consumerRanking(metric: DEGREE, first: 1000, consistency: $consistency) { graphVersion entries { score consumer { id } } }
  graphStats(consistency: $consistency) { graphVersion consumers providers edges connectedComponents }
}`;

type Answer = Awaited<ReturnType<typeof ask>>;
const ask = (consistency: 'EVENTUAL' | 'LATEST') => run(QUESTIONS, { consistency });

function scoresOf(entries: { score: number; provider?: { id: string }; consumer?: { id: string } }[]) {
  return new Map(
    entries.map(({ score, provider, consumer }) => {
      const { typename, id } = decodeGlobalID((provider ?? consumer)!.id);
      return [nodeKey(typename === 'Provider' ? 'provider' : 'consumer', Number(id)), score];
    }),
  );
}

function expectOracle(answer: Answer): number {
  const versions = [answer.pagerank, answer.weighted, answer.degree, answer.graphStats].map((part) => part.graphVersion);
  for (const version of versions) expect(recorded.has(version)).toBe(true);
  for (const [part, options] of [
    [answer.pagerank, { getEdgeWeight: null }],
    [answer.weighted, { getEdgeWeight: 'count' }],
  ] as const) {
    const { graph } = recorded.get(part.graphVersion)!;
    const expected = pagerank(graph, { alpha: 0.85, tolerance: 1e-12, maxIterations: 10_000, ...options });
    const scores = scoresOf(part.entries);
    // Parties deleted since the answer's version are left out of it: they cannot be loaded any more.
    expect(scores.size).toBeLessThanOrEqual(graph.filterNodes((_node, { side }) => side === 'provider').length);
    for (const [node, score] of scores) expect(score).toBeCloseTo(expected[node], 9);
  }
  const { graph: degreeGraph } = recorded.get(answer.degree.graphVersion)!;
  for (const [node, score] of scoresOf(answer.degree.entries)) {
    expect(degreeGraph.hasNode(node)).toBe(true);
    expect(score).toBeCloseTo(degreeGraph.degree(node) / (degreeGraph.order - 1), 12);
  }
  const { graph } = recorded.get(answer.graphStats.graphVersion)!;
  const consumers = graph.filterNodes((_node, { side }) => side === 'consumer').length;
  expect(answer.graphStats).toMatchObject({
    consumers,
    providers: graph.order - consumers,
    edges: graph.size,
    connectedComponents: connectedComponents(graph).length,
  });
  return Math.max(...versions);
}

it('answers every question from one snapshot of one version, with writes streaming in', async () => {
  const consumers: string[] = [];
  const providers: string[] = [];
  const relations: string[] = [];
  for (let index = 0; index < 6; index++) consumers.push((await createConsumer()).id);
  for (let index = 0; index < 4; index++) providers.push((await createProvider()).id);

  const write = async () => {
    const roll = random();
    if (roll < 0.1) consumers.push((await createConsumer()).id);
    else if (roll < 0.15) providers.push((await createProvider()).id);
    else if (roll < 0.2 && consumers.length > 3) {
      const consumer = consumers.splice(Math.floor(random() * consumers.length), 1)[0];
      await run(`mutation ($id: ID!) { deleteConsumer(id: $id, cascade: true) { __typename } }`, { id: consumer });
    } else if (roll < 0.23 && providers.length > 2) {
      const provider = providers.splice(Math.floor(random() * providers.length), 1)[0];
      await run(`mutation ($id: ID!) { deleteProvider(id: $id, cascade: true) { __typename } }`, { id: provider });
    } else if (roll < 0.33 && relations.length > 0) {
      const relation = relations.splice(Math.floor(random() * relations.length), 1)[0];
      await run(`mutation ($id: ID!) { deleteRelation(id: $id) { __typename } }`, { id: relation });
    } else {
      const kind = pick(['FAVORITE', 'PURCHASE']);
      const money = kind === 'PURCHASE' ? { amountMinor: 100, currency: 'EUR' } : {};
      try {
        relations.push((await recordRelation({ consumerId: pick(consumers), providerId: pick(providers), kind, ...money })).id);
      } catch {
        // The party was deleted by a concurrent write of this test: refused, as it should be.
      }
    }
  };

  expectOracle(await ask('LATEST')); // the workers are up and every question has an answer
  let writing = true;
  let answers = 0;
  const writer = (async () => {
    for (let step = 1; step <= 80; step++) {
      await write();
      // Now and then the writer itself needs its writes seen: a new version gets computed.
      if (step % 10 === 0) expectOracle(await ask('LATEST'));
    }
    writing = false;
  })();
  const askers = ['EVENTUAL', 'EVENTUAL'].map(async (consistency) => {
    while (writing) {
      expectOracle(await ask(consistency as 'EVENTUAL'));
      answers++;
      // In process, a cached answer resolves without I/O: let the event loop deliver the workers' results.
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  await Promise.all([writer, ...askers]);

  const last = await ask('LATEST');
  expect(expectOracle(last)).toBe(analytics().projection.version);
  expect(answers).toBeGreaterThan(10);
  expect(recorded.size).toBeGreaterThanOrEqual(9); // the answers spanned many versions
}, 120_000);
