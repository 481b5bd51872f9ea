import { UndirectedGraph } from 'graphology';
import graphologyLouvain from 'graphology-communities-louvain';
import graphologyModularity from 'graphology-metrics/graph/modularity';
import seedrandom from 'seedrandom';
import { detectCommunities } from '../../support/oracles/communities';
import { type Csr, csrFromEdges } from '../../../src/analytics/graph/csr';
import { louvain, louvainCommunities, modularity, rankCommunities } from '../../../src/analytics/graph/kernels/louvain';
import { createRelationGraph } from '../../../src/analytics/graph/relation-graph';
import reference from '../../fixtures/crm-graph-networkx.json';

// The CSR Louvain kernel against graphology: modularity recomputed by graphology-metrics for the
// kernel's own split (and the modularity function against networkx on fixed splits), quality
// against graphology-communities-louvain over the same seeds, recovery of planted communities,
// and the numbering the API answers with.

interface TestGraph {
  name: string;
  csr: Csr;
  weights?: Float64Array;
  /** The same graph for graphology: nodes "0" to "n - 1", a `weight` attribute when weighted. */
  graph: UndirectedGraph;
  /** Planted community of each node, when the graph has one. */
  truth?: Int32Array;
}

function testGraph(name: string, nodeCount: number, pairs: [number, number, number][], weighted: boolean, truth?: Int32Array): TestGraph {
  const csr = csrFromEdges(nodeCount, Int32Array.from(pairs, (pair) => pair[0]), Int32Array.from(pairs, (pair) => pair[1]));
  const graph = new UndirectedGraph();
  for (let node = 0; node < nodeCount; node++) graph.addNode(String(node));
  for (const [source, target, weight] of pairs) graph.addEdge(String(source), String(target), { weight });
  return { name, csr, weights: weighted ? Float64Array.from(pairs, (pair) => pair[2]) : undefined, graph, truth };
}

/** The networkx fixture: consumers, then providers, an edge per pair weighing its relation count. */
function fixtureGraph(weighted: boolean): TestGraph {
  const index = new Map([...reference.consumers, ...reference.providers].map((name, node) => [name, node]));
  const counts = new Map<string, [number, number, number]>();
  for (const { consumer, provider } of reference.relations) {
    const key = `${consumer}|${provider}`;
    const pair = counts.get(key) ?? [index.get(consumer)!, index.get(provider)!, 0];
    pair[2]++;
    counts.set(key, pair);
  }
  return testGraph(`the fixture${weighted ? ', by count' : ''}`, index.size, [...counts.values()], weighted);
}

/**
 * A bipartite graph of `groups` communities: each consumer ties to `degree` distinct providers,
 * each of its own group with probability `inGroup`, else of any group; weights 1 to 5 when weighted
 * (heavier inside the group, as repeat custom is).
 */
function plantedGraph(seed: string, options: { groups: number; consumers: number; providers: number; degree: number; inGroup: number; weighted: boolean }): TestGraph {
  const random = seedrandom(seed);
  const { groups, consumers, providers, degree, inGroup, weighted } = options;
  const nodeCount = groups * (consumers + providers);
  const truth = new Int32Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) truth[node] = node < groups * consumers ? node % groups : (node - groups * consumers) % groups;
  const pairs: [number, number, number][] = [];
  for (let consumer = 0; consumer < groups * consumers; consumer++) {
    const chosen = new Set<number>();
    while (chosen.size < degree) {
      const home = random() < inGroup;
      const group = home ? truth[consumer] : Math.floor(random() * groups);
      const provider = groups * consumers + group + groups * Math.floor(random() * providers);
      const weight = weighted ? 1 + Math.floor(random() * (home ? 5 : 2)) : 1;
      if (!chosen.has(provider)) pairs.push([consumer, provider, weight]);
      chosen.add(provider);
    }
  }
  const name = `planted ${groups} groups (${Math.round(inGroup * 100)}% in group${weighted ? ', weighted' : ''}, seed ${seed})`;
  return testGraph(name, nodeCount, pairs, weighted, truth);
}

const PLANTED = { groups: 6, consumers: 40, providers: 8, degree: 5 };
const GRAPHS: TestGraph[] = [
  fixtureGraph(false),
  fixtureGraph(true),
  plantedGraph('one', { ...PLANTED, inGroup: 0.8, weighted: false }),
  plantedGraph('two', { ...PLANTED, inGroup: 0.7, weighted: true }),
  plantedGraph('three', { ...PLANTED, groups: 12, inGroup: 0.6, weighted: false }),
];
const RESOLUTIONS = [1, 0.5, 2];
const SEEDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

function graphologyQuality(test: TestGraph, membership: Int32Array, resolution: number): number {
  return graphologyModularity(test.graph, {
    getNodeCommunity: (node) => membership[Number(node)],
    getEdgeWeight: test.weights ? 'weight' : null,
    resolution,
  });
}

function graphologyLouvainModularities(test: TestGraph, resolution: number): number[] {
  const getEdgeWeight = test.weights ? 'weight' : null;
  return SEEDS.map((seed) => graphologyLouvain.detailed(test.graph, { resolution, getEdgeWeight, rng: seedrandom(seed) }).modularity);
}

describe.each(GRAPHS)('on $name', (test) => {
  describe.each(RESOLUTIONS)('at resolution %d', (resolution) => {
    const run = (seed: string) => louvain(test.csr, { weights: test.weights, resolution, rng: seedrandom(seed) });

    it('reports the modularity graphology-metrics computes for its split', () => {
      for (const seed of SEEDS.slice(0, 3)) {
        const result = run(seed);
        expect(result.modularity).toBeCloseTo(graphologyQuality(test, result.membership, resolution), 12);
      }
    });

    it('splits at least as well as graphology-communities-louvain over the same seeds', () => {
      const ours = SEEDS.map((seed) => run(seed).modularity);
      const theirs = graphologyLouvainModularities(test, resolution);
      expect(mean(ours)).toBeGreaterThanOrEqual(mean(theirs) - 0.005);
      expect(Math.min(...ours)).toBeGreaterThanOrEqual(Math.min(...theirs) - 0.02);
    });

    it('without refinement, splits as well as graphology-communities-louvain, and refinement only adds', () => {
      const plain = SEEDS.map((seed) => louvain(test.csr, { weights: test.weights, resolution, rng: seedrandom(seed), refine: false }).modularity);
      const theirs = graphologyLouvainModularities(test, resolution);
      expect(Math.abs(mean(plain) - mean(theirs))).toBeLessThan(0.01);
      SEEDS.forEach((seed, index) => expect(run(seed).modularity).toBeGreaterThanOrEqual(plain[index] - 1e-12));
    });

    it('leaves the CSR and the weights as they were, so that a shared snapshot can be read', () => {
      const before = [test.csr.offsets, test.csr.neighbors, test.csr.edges, test.weights].map((array) => array?.slice());
      run('read only');
      expect([test.csr.offsets, test.csr.neighbors, test.csr.edges, test.weights]).toEqual(before);
    });

    it('splits the same way for the same seed', () => {
      const first = run('same');
      const second = run('same');
      expect(second.membership).toEqual(first.membership);
      expect(second.modularity).toBe(first.modularity);
    });
  });
});

describe('planted communities', () => {
  const larger = plantedGraph('four', { groups: 20, consumers: 150, providers: 15, degree: 8, inGroup: 0.6, weighted: false });
  const planted = [...GRAPHS.filter((test) => test.truth), larger];

  it.each(planted)('are matched or beaten in modularity on $name', (test) => {
    const found = louvain(test.csr, { weights: test.weights, resolution: 1, rng: seedrandom('planted') });
    const truth = modularity(test.csr, test.truth!, { weights: test.weights, resolution: 1 });
    expect(found.modularity).toBeGreaterThanOrEqual(truth - 0.005);
  });

  // Not the 12 small groups: there, splits other than the planted one score higher.
  it.each([planted[0], planted[1], larger])('are recovered on $name', (test) => {
    const { membership } = louvain(test.csr, { weights: test.weights, resolution: 1, rng: seedrandom('planted') });
    expect(adjustedRandIndex(membership, test.truth!)).toBeGreaterThan(0.9);
  });
});

describe('modularity', () => {
  // networkx 3.6.1's nx.community.modularity on the fixture's graph (weight None or 'count').
  const NETWORKX: [string, boolean, number, number][] = [
    ['node index mod 3', false, 1, 0.039999999999999994],
    ['node index mod 3', false, 0.5, 0.21285714285714286],
    ['node index mod 3', false, 2, -0.3057142857142857],
    ['node index mod 3', true, 1, 0.08106516213032422],
    ['node index mod 3', true, 0.5, 0.25706801413602826],
    ['node index mod 3', true, 2, -0.27094054188108385],
    ['consumers with the provider of their first relation', false, 1, 0.29489795918367345],
    ['consumers with the provider of their first relation', false, 0.5, 0.361734693877551],
    ['consumers with the provider of their first relation', false, 2, 0.16122448979591836],
    ['consumers with the provider of their first relation', true, 1, 0.284766569533139],
    ['consumers with the provider of their first relation', true, 0.5, 0.35498170996341993],
    ['consumers with the provider of their first relation', true, 2, 0.1443362886725773],
  ];

  it.each(NETWORKX)('of the fixture split as %s (by count: %s) at resolution %d matches networkx', (split, weighted, resolution, expected) => {
    const test = fixtureGraph(weighted);
    const names = [...reference.consumers, ...reference.providers];
    const firstProvider = new Map<string, string>();
    for (const { consumer, provider } of reference.relations) if (!firstProvider.has(consumer)) firstProvider.set(consumer, provider);
    const membership = split.startsWith('node index')
      ? Int32Array.from(names, (_name, node) => node % 3)
      : Int32Array.from(names, (name, node) => (firstProvider.has(name) ? names.indexOf(firstProvider.get(name)!) : node));
    expect(modularity(test.csr, membership, { weights: test.weights, resolution })).toBeCloseTo(expected, 12);
  });

  it('matches graphology-metrics for any split, weighted or not', () => {
    const random = seedrandom('splits');
    for (const test of GRAPHS) {
      const split = Int32Array.from({ length: test.csr.nodeCount }, () => Math.floor(random() * 4));
      for (const resolution of RESOLUTIONS) {
        expect(modularity(test.csr, split, { weights: test.weights, resolution })).toBeCloseTo(graphologyQuality(test, split, resolution), 12);
      }
    }
  });

  it('is 0 on a graph without edges', () => {
    const edgeless = csrFromEdges(3, new Int32Array(0), new Int32Array(0));
    expect(modularity(edgeless, Int32Array.of(0, 0, 1), { resolution: 1 })).toBe(0);
  });
});

describe('numbering communities as the API does', () => {
  it('renumbers graphology’s split exactly as detectCommunities does', () => {
    const test = fixtureGraph(true);
    const graph = createRelationGraph();
    test.graph.forEachNode((node) => graph.addNode(node, { side: 'consumer', id: Number(node) }));
    test.graph.forEachEdge((_edge, attributes, source, target) => graph.addEdge(source, target, { count: attributes.weight, kinds: {} }));
    for (const resolution of RESOLUTIONS) {
      const options = { resolution, weight: 'COUNT', seed: 'api' } as const;
      const raw = graphologyLouvain.detailed(graph, { resolution, getEdgeWeight: 'count', rng: seedrandom('api') });
      const expected = detectCommunities(graph, options);
      const ranked = rankCommunities(Int32Array.from(graph.nodes(), (node) => raw.communities[node]));
      expect(ranked.membership).toEqual(expected.membership);
      expect(ranked.sizes).toEqual(expected.sizes);
    }
  });

  it('numbers by size, then by first member, and keeps isolated nodes alone', () => {
    // Two triangles joined by one edge, a pair, and isolated nodes 0 and 9.
    const sources = Int32Array.of(1, 2, 1, 4, 5, 4, 3, 7);
    const targets = Int32Array.of(2, 3, 3, 5, 6, 6, 4, 8);
    const result = louvainCommunities(csrFromEdges(10, sources, targets), { resolution: 1, rng: seedrandom('small') });
    expect(Array.from(result.membership)).toEqual([3, 0, 0, 0, 1, 1, 1, 2, 2, 4]);
    expect(result.sizes).toEqual([3, 3, 2, 1, 1]);
    // 2m = 16; inside: 6, 6 and 2; totals: 7, 7 and 2.
    expect(result.modularity).toBeCloseTo(14 / 16 - (49 + 49 + 4) / 256, 12);
  });

  it('joins each connected component into one community at resolution 0', () => {
    // Two triangles, a path of four and an isolated node: with γ = 0 modularity only rewards edges inside.
    const sources = Int32Array.of(0, 1, 0, 3, 4, 3, 6, 7, 8);
    const targets = Int32Array.of(1, 2, 2, 4, 5, 5, 7, 8, 9);
    const result = louvainCommunities(csrFromEdges(11, sources, targets), { resolution: 0, rng: seedrandom('zero') });
    expect(Array.from(result.membership)).toEqual([1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 3]);
    expect(result.modularity).toBeCloseTo(1, 12);
  });

  it('treats edges that all weigh 0 as no edges', () => {
    const csr = csrFromEdges(3, Int32Array.of(0, 1), Int32Array.of(1, 2));
    const result = louvainCommunities(csr, { weights: Float64Array.of(0, 0), resolution: 1, rng: seedrandom('zero') });
    expect(result).toEqual({ membership: Int32Array.of(0, 1, 2), sizes: [1, 1, 1], modularity: 0 });
  });

  it('leaves every node alone in a graph without edges, as detectCommunities does', () => {
    const result = louvainCommunities(csrFromEdges(4, new Int32Array(0), new Int32Array(0)), { resolution: 1, rng: seedrandom('none') });
    const graph = createRelationGraph();
    for (let node = 0; node < 4; node++) graph.addNode(String(node), { side: 'provider', id: node });
    const expected = detectCommunities(graph, { resolution: 1, weight: 'NONE', seed: 'none' });
    expect(result).toEqual({ membership: expected.membership, sizes: expected.sizes, modularity: 0 });
    expect(louvainCommunities(csrFromEdges(0, new Int32Array(0), new Int32Array(0)), { resolution: 1, rng: seedrandom('none') })).toEqual({
      membership: new Int32Array(0),
      sizes: [],
      modularity: 0,
    });
  });
});

describe('bad options', () => {
  const csr = csrFromEdges(3, Int32Array.of(0, 1), Int32Array.of(1, 2));
  const rng = seedrandom('bad');

  it.each([
    [{ resolution: Number.NaN, rng }, /resolution must be a finite number, 0 or more; got NaN/],
    [{ resolution: -1, rng }, /resolution must be a finite number, 0 or more; got -1/],
    [{ resolution: 1, rng, weights: Float64Array.of(1) }, /weights has 1 entries for 2 edges: give one weight per edge/],
    [{ resolution: 1, rng, weights: Float64Array.of(1, -2) }, /the weight of edge 1 is -2: weights must be finite and not negative/],
    [{ resolution: 1, rng, weights: Float64Array.of(Infinity, 1) }, /the weight of edge 0 is Infinity/],
  ])('are refused with a message saying what to fix (%#)', (options, message) => {
    expect(() => louvain(csr, options)).toThrow(message);
  });
});

function mean(values: number[]): number {
  return values.reduce((total, value) => total + value, 0) / values.length;
}

/** Agreement of two splits corrected for chance: 1 when identical, about 0 for unrelated ones. */
function adjustedRandIndex(a: Int32Array, b: Int32Array): number {
  const pairs = (count: number) => (count * (count - 1)) / 2;
  const tally = (keys: Iterable<string | number>) => {
    const counts = new Map<string | number, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    return [...counts.values()].reduce((total, count) => total + pairs(count), 0);
  };
  const both = tally(Array.from(a, (community, node) => `${community},${b[node]}`));
  const inA = tally(a);
  const inB = tally(b);
  const expected = (inA * inB) / pairs(a.length);
  return (both - expected) / ((inA + inB) / 2 - expected);
}
