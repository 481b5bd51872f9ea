import seedrandom from 'seedrandom';
import { csrFromEdges } from '../../../src/analytics/graph/csr';
import { betweenness, betweennessCentrality } from '../../../src/analytics/graph/kernels/betweenness';
import { closeness, closenessCentrality } from '../../../src/analytics/graph/kernels/closeness';
import { connectedComponents } from '../../../src/analytics/graph/kernels/components';
import { sampleSources } from '../../../src/analytics/graph/kernels/sampling';

// Sampled closeness and betweenness past the node bound: flagged, reproducible, and within the
// documented error bound.

const CONSUMERS = 1500;
const PROVIDERS = 40;
const random = seedrandom('sampled');
const pairs = new Set<number>();
while (pairs.size < 4000) pairs.add(Math.floor(random() * CONSUMERS) * 10_000 + CONSUMERS + Math.floor(random() ** 2 * PROVIDERS));
const big = [...pairs].map((pair) => [Math.floor(pair / 10_000), pair % 10_000]);
// A three-node component (two consumers, one provider) that a small sample is likely to miss.
const tiny = [
  [CONSUMERS + PROVIDERS, CONSUMERS + PROVIDERS + 2],
  [CONSUMERS + PROVIDERS + 1, CONSUMERS + PROVIDERS + 2],
];
const edges = [...big, ...tiny];
const csr = csrFromEdges(CONSUMERS + PROVIDERS + 3, Int32Array.from(edges, ([a]) => a), Int32Array.from(edges, ([, b]) => b));
const exact = closenessCentrality(csr);
const options = { exactMaxNodes: 1000, samples: 48, seed: 'closeness' };

it('below the node bound, closeness and betweenness are exact and say so', () => {
  expect(closeness(csr, { ...options, exactMaxNodes: csr.nodeCount })).toEqual({ scores: exact, approximate: false, sampleSize: null });
  expect(betweenness(csr, { ...options, exactMaxNodes: csr.nodeCount })).toEqual({
    scores: betweennessCentrality(csr),
    approximate: false,
    sampleSize: null,
  });
});

it('sampled closeness says it is approximate, with its sample size, and repeats for a seed', () => {
  const sampled = closeness(csr, options);
  expect(sampled).toMatchObject({ approximate: true, sampleSize: 48 });
  expect(closeness(csr, options).scores).toEqual(sampled.scores);
  expect(closeness(csr, { ...options, seed: 'another' }).scores).not.toEqual(sampled.scores);
  expect(closeness(csr, { ...options, samples: csr.nodeCount }).scores).toEqual(exact);
});

it('sampled closeness keeps sources and unsampled components exact, and the rest within the stated bound', () => {
  const sampled = closeness(csr, options).scores;
  const sources = new Set(sampleSources(csr.nodeCount, options.samples, options.seed));
  const { membership } = connectedComponents(csr);
  const sourcesIn = new Map<number, number>();
  for (const source of sources) sourcesIn.set(membership[source], (sourcesIn.get(membership[source]) ?? 0) + 1);
  const diameter = Math.max(...Array.from(exact, (_, node) => eccentricity(node)));
  const delta = 1e-6;
  let estimated = 0;
  for (let node = 0; node < csr.nodeCount; node++) {
    const samplesSeen = (sourcesIn.get(membership[node]) ?? 0) - (sources.has(node) ? 1 : 0);
    if (sources.has(node) || samplesSeen === 0) {
      expect(sampled[node]).toBe(exact[node]);
      continue;
    }
    estimated++;
    const bound = diameter * Math.sqrt(Math.log(2 / delta) / (2 * samplesSeen));
    expect(Math.abs(1 / sampled[node] - 1 / exact[node])).toBeLessThanOrEqual(bound);
  }
  expect(estimated).toBeGreaterThan(1000);
  for (const node of [CONSUMERS + PROVIDERS, CONSUMERS + PROVIDERS + 2]) expect(sampled[node]).toBe(exact[node]);
});

it('sampled betweenness is flagged and repeats for a seed', () => {
  const sampled = betweenness(csr, options);
  expect(sampled).toMatchObject({ approximate: true, sampleSize: 48 });
  expect(betweenness(csr, options).scores).toEqual(sampled.scores);
});

function eccentricity(source: number): number {
  const distance = new Int32Array(csr.nodeCount).fill(-1);
  const queue = [source];
  distance[source] = 0;
  let farthest = 0;
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    farthest = distance[node];
    for (let entry = csr.offsets[node]; entry < csr.offsets[node + 1]; entry++) {
      const neighbor = csr.neighbors[entry];
      if (distance[neighbor] === -1) {
        distance[neighbor] = distance[node] + 1;
        queue.push(neighbor);
      }
    }
  }
  return farthest;
}
