import reference from '../../fixtures/crm-graph-networkx.json';
import { CONSUMER, csrFromEdges, PROVIDER } from '../../../src/analytics/graph/csr';
import { betweennessCentrality } from '../../../src/analytics/graph/kernels/betweenness';
import { closenessCentrality } from '../../../src/analytics/graph/kernels/closeness';
import { graphStatistics } from '../../../src/analytics/graph/kernels/components';
import { degreeCentrality } from '../../../src/analytics/graph/kernels/degree';
import { eigenvectorCentrality } from '../../../src/analytics/graph/kernels/eigenvector';
import { hits } from '../../../src/analytics/graph/kernels/hits';
import { pagerank } from '../../../src/analytics/graph/kernels/pagerank';

// The reference graph of test/fixtures/crm-graph-networkx.json (one edge per pair, weighted by
// its relation count), every kernel's score compared with networkx 2.8.8's to 1e-6 relative.

type Scores = Record<string, number>;
const expected = reference.expected as unknown as Record<string, Scores> & { connected_components: number; density: number };

const names = [...reference.consumers, ...reference.providers];
const indexOf = new Map(names.map((name, index) => [name, index]));
const sides = Uint8Array.from(names, (_, index) => (index < reference.consumers.length ? CONSUMER : PROVIDER));
const pairs = new Map<string, { consumer: number; provider: number; count: number }>();
for (const relation of reference.relations) {
  const key = `${relation.consumer}|${relation.provider}`;
  const pair = pairs.get(key) ?? { consumer: indexOf.get(relation.consumer)!, provider: indexOf.get(relation.provider)!, count: 0 };
  pair.count++;
  pairs.set(key, pair);
}
const csr = csrFromEdges(
  names.length,
  Int32Array.from(pairs.values(), (pair) => pair.consumer),
  Int32Array.from(pairs.values(), (pair) => pair.provider),
);
const counts = Float64Array.from(pairs.values(), (pair) => pair.count);

function expectNetworkx(scores: Float64Array, key: string) {
  const wanted = expected[key];
  expect(Object.keys(wanted).sort()).toEqual([...names].sort());
  for (const [name, value] of Object.entries(wanted)) {
    const error = Math.abs(scores[indexOf.get(name)!] - value);
    // networkx's "zeros" (authority scores of consumers) are round-off such as -5e-18.
    if (Math.abs(value) < 1e-12) expect(error).toBeLessThan(1e-12);
    else expect(error / Math.abs(value)).toBeLessThan(1e-6);
  }
}

it('the fixture has pairs with several relations, so the weighted case differs', () => {
  expect(counts.some((count) => count > 1)).toBe(true);
});

it.each([
  ['pagerank', () => pagerank(csr).scores],
  ['pagerank_weighted_by_count', () => pagerank(csr, { weights: counts }).scores],
  ['degree_centrality', () => degreeCentrality(csr)],
  ['betweenness_normalized', () => betweennessCentrality(csr)],
  ['closeness', () => closenessCentrality(csr)],
  ['eigenvector', () => eigenvectorCentrality(csr).scores],
  ['hits_hub', () => hits(csr, sides).hubs],
  ['hits_authority', () => hits(csr, sides).authorities],
])('%s matches networkx', (key, compute) => {
  expectNetworkx(compute(), key);
});

it('graph statistics match networkx', () => {
  const statistics = graphStatistics(csr, sides);
  expect(statistics).toMatchObject({
    consumers: reference.consumers.length,
    providers: reference.providers.length,
    edges: pairs.size,
    connectedComponents: expected.connected_components,
    largestComponentSize: names.length,
  });
  expect(Math.abs(statistics.density - expected.density) / expected.density).toBeLessThan(1e-12);
});
