import { UndirectedGraph } from 'graphology';
import seedrandom from 'seedrandom';
import { consumerToProvider } from '../../support/oracles/directed';
import betweennessOracle from 'graphology-metrics/centrality/betweenness';
import closenessOracle from 'graphology-metrics/centrality/closeness';
import { degreeCentrality as degreeOracle } from 'graphology-metrics/centrality/degree';
import eigenvectorOracle from 'graphology-metrics/centrality/eigenvector';
import hitsOracle from 'graphology-metrics/centrality/hits';
import pagerankOracle from 'graphology-metrics/centrality/pagerank';
import { betweenness, betweennessCentrality } from '../../../src/analytics/graph/kernels/betweenness';
import { closenessCentrality } from '../../../src/analytics/graph/kernels/closeness';
import { degreeCentrality, weightedDegree } from '../../../src/analytics/graph/kernels/degree';
import { eigenvectorCentrality } from '../../../src/analytics/graph/kernels/eigenvector';
import { hits } from '../../../src/analytics/graph/kernels/hits';
import { DEFAULT_ITERATION } from '../../../src/analytics/graph/kernels/iteration';
import { csrFromEdges } from '../../../src/analytics/graph/csr';
import { pagerank } from '../../../src/analytics/graph/kernels/pagerank';
import { sampledBetweenness } from '../../support/oracles/sampled-betweenness';
import { byNode, expectClose, randomTwin, SHAPES, type TwinGraph } from './random-graphs';

// Each kernel against graphology-metrics, the implementation it replaces, on the same graph.

const WEIGHTINGS = ['none', 'count', 'strength'] as const;
type Weighting = (typeof WEIGHTINGS)[number];

const cases = SHAPES.flatMap((shape) => WEIGHTINGS.map((weighting) => [shape.name, weighting, randomTwin(shape)] as const));

function weightsOf(twin: TwinGraph, weighting: Weighting): Float64Array | undefined {
  return weighting === 'none' ? undefined : weighting === 'count' ? twin.counts : twin.strengths;
}

function getterOf(weighting: Weighting) {
  return weighting === 'none' ? null : (_edge: string, attributes: { count: number; strength?: number }) => attributes[weighting]!;
}


describe.each(cases)('on %s, weighted by %s', (_name, weighting, twin) => {
  const { graph, csr, sides } = twin;
  const weights = weightsOf(twin, weighting);
  const getEdgeWeight = getterOf(weighting);

  it('has the shape it was built for', () => {
    expect(csr.nodeCount).toBe(graph.order);
    expect(csr.edgeCount).toBe(graph.size);
    expect(graph.size).toBeGreaterThan(50);
  });

  it('degree centrality and weighted degree match', () => {
    expectClose(degreeCentrality(csr), byNode(graph, degreeOracle(graph)), 1e-15);
    const strengths = Float64Array.from(graph.nodes(), (node) =>
      graph.reduceEdges(node, (sum, edge, attributes) => sum + (getEdgeWeight ? getEdgeWeight(edge, attributes) : 1), 0),
    );
    expectClose(weightedDegree(csr, weights), strengths, 1e-12);
  });

  it('PageRank matches', () => {
    const expected = byNode(graph, pagerankOracle(graph, { alpha: 0.85, getEdgeWeight, ...DEFAULT_ITERATION }));
    const { scores, iterations } = pagerank(csr, { weights });
    expectClose(scores, expected);
    expect(iterations).toBeGreaterThan(10);
  });

  it('eigenvector centrality matches', () => {
    const expected = byNode(graph, eigenvectorOracle(graph, { getEdgeWeight, ...DEFAULT_ITERATION }));
    // Off the dominant component the exact answer is 0; what is left there is each iteration's
    // own residue (graphology's decays by (λ₂ + 1) / (λ + 1) per step, the kernel's faster).
    expectClose(eigenvectorCentrality(csr, { weights }).scores, expected, 1e-8, 1e-9);
  });

  it('HITS hubs and authorities on consumer → provider match (with the tolerance scaled by n, as the kernel reads it)', () => {
    const tolerance = graph.order * DEFAULT_ITERATION.tolerance;
    const oracle = hitsOracle(consumerToProvider(graph), { getEdgeWeight, normalize: true, ...DEFAULT_ITERATION, tolerance });
    const result = hits(csr, sides, { weights });
    expectClose(result.hubs, byNode(graph, oracle.hubs), 1e-8, 1e-10);
    expectClose(result.authorities, byNode(graph, oracle.authorities), 1e-8, 1e-10);
  });

  it('closeness matches (hop counts, weights do not apply)', () => {
    expectClose(closenessCentrality(csr), byNode(graph, closenessOracle(graph, { wassermanFaust: false })), 1e-14);
  });

  it('exact betweenness matches, weights read as lengths 1/w', () => {
    const getEdgeLength = getEdgeWeight && ((edge: string, attributes: { count: number; strength?: number }) => 1 / getEdgeWeight(edge, attributes));
    const expected = byNode(graph, betweennessOracle(graph, { normalized: true, getEdgeWeight: getEdgeLength }));
    expect(expected.some((value) => value > 0)).toBe(true);
    expectClose(betweennessCentrality(csr, { weights }), expected, 1e-12);
  });

  it('sampled betweenness draws the sources today’s sampler draws, and agrees with it', () => {
    const getEdgeLength = getEdgeWeight && ((edge: string, attributes: { count: number; strength?: number }) => 1 / getEdgeWeight(edge, attributes));
    const expected = sampledBetweenness(graph, { samples: 10, seed: 'kernels', getEdgeLength });
    const sampled = betweenness(csr, { exactMaxNodes: 5, samples: 10, seed: 'kernels', weights });
    expect(sampled).toMatchObject({ approximate: true, sampleSize: 10 });
    expectClose(sampled.scores, expected, 1e-12);
    expect(betweenness(csr, { exactMaxNodes: 5, samples: 10, seed: 'other', weights }).scores).not.toEqual(sampled.scores);
  });
});

it('every kernel answers on tiny graphs: none, one node, one edge', () => {
  const empty = { nodeCount: 0, edgeCount: 0, offsets: new Int32Array(1), neighbors: new Int32Array(0), edges: new Int32Array(0) };
  expect(pagerank(empty).scores).toHaveLength(0);
  expect(eigenvectorCentrality(empty).scores).toHaveLength(0);
  const lone = { nodeCount: 1, edgeCount: 0, offsets: new Int32Array(2), neighbors: new Int32Array(0), edges: new Int32Array(0) };
  expect(Array.from(degreeCentrality(lone))).toEqual([1]);
  expect(Array.from(pagerank(lone).scores)).toEqual([1]);
  expect(Array.from(closenessCentrality(lone))).toEqual([0]);
  expect(Array.from(betweennessCentrality(lone))).toEqual([0]);
  expect(hits(lone, Uint8Array.of(0))).toMatchObject({ iterations: 0 });
});

it('eigenvector centrality and PageRank match on a graph that is not bipartite (odd cycles)', () => {
  const random = seedrandom('odd cycles');
  const graph = new UndirectedGraph();
  const nodeCount = 40;
  for (let node = 0; node < nodeCount; node++) graph.addNode(String(node));
  const sources: number[] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  for (let node = 1; node < nodeCount; node++) {
    // A random tree plus chords: connected, with triangles.
    for (const other of [Math.floor(random() * node), Math.floor(random() * node)]) {
      if (graph.hasEdge(String(node), String(other))) continue;
      const weight = 1 + Math.floor(random() * 3);
      graph.addEdge(String(node), String(other), { weight });
      sources.push(node);
      targets.push(other);
      weights.push(weight);
    }
  }
  const csr = csrFromEdges(nodeCount, Int32Array.from(sources), Int32Array.from(targets));
  const expected = byNode(graph as never, eigenvectorOracle(graph, { getEdgeWeight: 'weight', ...DEFAULT_ITERATION }));
  expectClose(eigenvectorCentrality(csr, { weights: Float64Array.from(weights) }).scores, expected, 1e-8);
  // PageRank's sweeps take one colour of a 2-colouring first, which odd cycles make imperfect.
  const ranks = byNode(graph as never, pagerankOracle(graph, { alpha: 0.85, getEdgeWeight: 'weight', ...DEFAULT_ITERATION }));
  expectClose(pagerank(csr, { weights: Float64Array.from(weights) }).scores, ranks);
});
