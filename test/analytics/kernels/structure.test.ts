import { connectedComponents as componentsOracle } from 'graphology-components';
import { nodeKey, snapshotAdjacency } from '../../../src/analytics/graph/adjacency';
import { edgeEnds } from '../../../src/analytics/graph/snapshot';
import { PROVIDER } from '../../../src/analytics/graph/csr';
import { coConsumptionEntry, coConsumptionIndex } from '../../../src/analytics/graph/kernels/co-consumption';
import { connectedComponents, graphStatistics } from '../../../src/analytics/graph/kernels/components';
import { similarNodes } from '../../../src/analytics/graph/kernels/similarity';
import { similarConsumers, similarProviders } from '../../../src/analytics/graph/recommendations';
import type { RelationGraph } from '../../../src/analytics/graph/relation-graph';
import { graphStatistics as statisticsOracle } from '../../support/oracles/statistics';
import { randomTwin, SHAPES } from './random-graphs';

// Components, statistics, similarity and co-consumption against graphology-based oracles.

/** Provider pairs sharing consumers, by brute force over graphology's neighbour lists: shared count and Σ 1/deg. */
function coConsumptionOracle(graph: RelationGraph, provider: string): Map<string, { shared: number; walk: number }> {
  const row = new Map<string, { shared: number; walk: number }>();
  for (const consumer of graph.neighbors(provider)) {
    for (const other of graph.neighbors(consumer)) {
      if (other === provider) continue;
      const entry = row.get(other) ?? { shared: 0, walk: 0 };
      entry.shared++;
      entry.walk += 1 / graph.degree(consumer);
      row.set(other, entry);
    }
  }
  return row;
}

describe.each(SHAPES.map((shape) => [shape.name, randomTwin(shape)] as const))('on %s', (_name, twin) => {
  const { graph, csr, sides, ids } = twin;
  const keys = graph.nodes();
  const indexOf = new Map(keys.map((key, index) => [key, index]));

  it('components match graphology-components: same partition, count and largest size', () => {
    const components = connectedComponents(csr);
    const oracle = componentsOracle(graph);
    expect(components.count).toBe(oracle.length);
    expect([...components.sizes].sort((a, b) => a - b)).toEqual(oracle.map((members) => members.length).sort((a, b) => a - b));
    for (const members of oracle) {
      const labels = new Set(members.map((key) => components.membership[indexOf.get(key)!]));
      expect(labels.size).toBe(1);
    }
    expect(graphStatistics(csr, sides)).toEqual(statisticsOracle(graph));
  });

  it('similar providers and consumers on an Adjacency match the similarity kernel, ties included', () => {
    const adjacency = snapshotAdjacency({ key: 'twin', version: 0, sides, ids, csr, ends: edgeEnds(csr), kindCounts: new Int32Array(0) });
    for (const [node, key] of keys.entries()) {
      const oracle = graph.getNodeAttribute(key, 'side') === 'provider' ? similarProviders(adjacency, node, 5) : similarConsumers(adjacency, node, 5);
      const similar = similarNodes(csr, node, 5, ids);
      expect(similar.map((entry) => [keys[entry.node], entry.shared])).toEqual(
        oracle.map((entry) => [nodeKey(entry.party.party, entry.party.id), entry.shared]),
      );
      similar.forEach((entry, position) => expect(entry.similarity).toBeCloseTo(oracle[position].similarity, 14));
    }
  });

  it('the co-consumption index holds every provider pair that shares consumers, and no other', () => {
    const index = coConsumptionIndex(csr, sides);
    let pairs = 0;
    for (const [provider, key] of keys.entries()) {
      const row = sides[provider] === PROVIDER ? coConsumptionOracle(graph, key) : new Map();
      const rowLength = index.offsets[provider + 1] - index.offsets[provider];
      expect(rowLength).toBe(row.size);
      if (sides[provider] !== PROVIDER) continue;
      for (const [otherKey, common] of row) {
        const entry = coConsumptionEntry(index, provider, indexOf.get(otherKey)!);
        expect(index.shared[entry]).toBe(common.shared);
        expect(index.walk[entry]).toBeCloseTo(common.walk, 14);
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(0);
    expect(index.partners).toHaveLength(pairs);
  });
});

it('the shapes cover isolated nodes and several components', () => {
  const components = SHAPES.map((shape) => connectedComponents(randomTwin(shape).csr));
  expect(components.some((found) => found.sizes.includes(1))).toBe(true);
  expect(components.some((found) => found.sizes.filter((size) => size > 1).length >= 3)).toBe(true);
});
