import seedrandom from 'seedrandom';
import { CONSUMER, csrFromEdges, PROVIDER } from '../../../src/analytics/graph/csr';
import { eigenvectorCentrality } from '../../../src/analytics/graph/kernels/eigenvector';
import { hits } from '../../../src/analytics/graph/kernels/hits';
import { DEFAULT_ITERATION } from '../../../src/analytics/graph/kernels/iteration';
import { pagerank } from '../../../src/analytics/graph/kernels/pagerank';
import { expectClose } from './random-graphs';

// A warm start from the previous version's vector after one edge changed: far fewer iterations
// than a cold start, and the same values.

const CONSUMERS = 3000;
const PROVIDERS = 60;
const random = seedrandom('warm start');
const sides = Uint8Array.from({ length: CONSUMERS + PROVIDERS }, (_, node) => (node < CONSUMERS ? CONSUMER : PROVIDER));
const pairs = new Set<number>();
while (pairs.size < 12_000) {
  const consumer = Math.floor(random() * CONSUMERS);
  const provider = CONSUMERS + Math.floor(random() ** 2 * PROVIDERS);
  pairs.add(consumer * (CONSUMERS + PROVIDERS) + provider);
}
const nodeCount = CONSUMERS + PROVIDERS;
const sources = Int32Array.from(pairs, (pair) => Math.floor(pair / nodeCount));
const targets = Int32Array.from(pairs, (pair) => pair % nodeCount);
const weights = Float64Array.from(sources, () => 1 + Math.floor(random() * 4));
const before = csrFromEdges(nodeCount, sources, targets);
// One write: the first pair's edge gives way to a new pair of a consumer and a provider.
const after = csrFromEdges(nodeCount, Int32Array.of(...sources.subarray(1), 7), Int32Array.of(...targets.subarray(1), nodeCount - 1));
const afterWeights = Float64Array.of(...weights.subarray(1), 2);

it("PageRank", () => {
  const previous = pagerank(before, { weights });
  const cold = pagerank(after, { weights: afterWeights });
  const warm = pagerank(after, { weights: afterWeights, start: previous.scores });
  expect(warm.iterations).toBeLessThan(cold.iterations / 5);
  expectClose(warm.scores, cold.scores, 1e-8);
  expect(warm.scores).not.toEqual(previous.scores);
});

it('eigenvector centrality', () => {
  const previous = eigenvectorCentrality(before, { weights });
  const cold = eigenvectorCentrality(after, { weights: afterWeights });
  const warm = eigenvectorCentrality(after, { weights: afterWeights, start: previous.scores });
  // Fewer, not far fewer: the spectral gap sets the pace and the changed nodes move a lot.
  expect(warm.iterations).toBeLessThan(cold.iterations);
  expectClose(warm.scores, cold.scores, 1e-8);
});

it('HITS, warm-started from the hub vector', () => {
  const previous = hits(before, sides, { weights });
  const cold = hits(after, sides, { weights: afterWeights });
  const warm = hits(after, sides, { weights: afterWeights, start: previous.hubs });
  // HITS converges in a few dozen steps from cold; one consumer's hub moves by tens of percent.
  expect(warm.iterations).toBeLessThan(cold.iterations * 0.85);
  expectClose(warm.hubs, cold.hubs, 1e-8);
  expectClose(warm.authorities, cold.authorities, 1e-8);
});

it('PageRank ordered by the known sides (colours) gives the answer of its own colouring, cold and warm', () => {
  const previous = pagerank(before, { weights, colours: sides });
  expectClose(previous.scores, pagerank(before, { weights }).scores, 1e-10);
  const warm = pagerank(after, { weights: afterWeights, start: previous.scores, colours: sides });
  expectClose(warm.scores, pagerank(after, { weights: afterWeights }).scores, 1e-8);
});

it('colours of another length, or other than 0 and 1, are refused naming the option', () => {
  expect(() => pagerank(after, { colours: new Uint8Array(3) })).toThrow(/colours: 3 entries for 3060 nodes/);
  expect(() => pagerank(after, { colours: new Uint8Array(nodeCount).fill(2) })).toThrow(/colours: every node must be coloured 0 or 1/);
});

it('a start vector for another node count is refused with a message saying what to do', () => {
  expect(() => pagerank(after, { start: new Float64Array(3) })).toThrow(/3 entries for 3060 nodes: map it onto/);
});

// Random writes: relations removed and added, a new party with relations and one without. The
// previous vector is carried over as serving/tasks.ts does (new parties start at 0).
describe.each(['edits 1', 'edits 2', 'edits 3'])('after random edits (%s), a warm answer equals the cold one', (seed) => {
  const edit = seedrandom(seed);
  const grown = nodeCount + 2; // a consumer with relations, then a consumer without
  const kept = Array.from(sources.keys()).filter(() => edit() > 0.01);
  const added: [number, number][] = Array.from({ length: 40 }, () => [Math.floor(edit() * CONSUMERS), CONSUMERS + Math.floor(edit() * PROVIDERS)]);
  added.push([nodeCount, CONSUMERS], [nodeCount, CONSUMERS + 1]);
  const fresh = added.filter(([consumer, provider], index) =>
    !pairs.has(consumer * nodeCount + provider) && added.findIndex(([c, p]) => c === consumer && p === provider) === index,
  );
  const editedCsr = csrFromEdges(
    grown,
    Int32Array.from([...kept.map((edge) => sources[edge]), ...fresh.map(([consumer]) => consumer)]),
    Int32Array.from([...kept.map((edge) => targets[edge]), ...fresh.map(([, provider]) => provider)]),
  );
  const editedWeights = Float64Array.from([...kept.map((edge) => weights[edge]), ...fresh.map(() => 1 + Math.floor(edit() * 4))]);
  const editedSides = Uint8Array.from({ length: grown }, (_, node) => (node >= CONSUMERS && node < nodeCount ? PROVIDER : CONSUMER));
  const carriedOver = (scores: Float64Array) => Float64Array.of(...scores, 0, 0);

  it('edits what it says', () => {
    expect(kept.length).toBeLessThan(sources.length);
    expect(fresh.length).toBeGreaterThan(30);
  });

  it('PageRank', () => {
    const previous = pagerank(before, { weights });
    const cold = pagerank(editedCsr, { weights: editedWeights });
    const warm = pagerank(editedCsr, { weights: editedWeights, start: carriedOver(previous.scores) });
    expect(warm.iterations).toBeLessThan(cold.iterations);
    // The stopping rule's share per node, relative: n · tolerance / (1 − α), 2e-8 here. Each answer
    // is within it of the exact one, so the two are within twice that of each other.
    expectClose(warm.scores, cold.scores, (2 * grown * DEFAULT_ITERATION.tolerance) / (1 - 0.85));
  });

  it('eigenvector centrality', () => {
    const previous = eigenvectorCentrality(before, { weights });
    const cold = eigenvectorCentrality(editedCsr, { weights: editedWeights });
    const warm = eigenvectorCentrality(editedCsr, { weights: editedWeights, start: carriedOver(previous.scores) });
    expectClose(warm.scores, cold.scores, 1e-8, 1e-10);
  });

  it('HITS', () => {
    const previous = hits(before, sides, { weights });
    const cold = hits(editedCsr, editedSides, { weights: editedWeights });
    const warm = hits(editedCsr, editedSides, { weights: editedWeights, start: carriedOver(previous.hubs) });
    expectClose(warm.hubs, cold.hubs, 1e-8, 1e-10);
    expectClose(warm.authorities, cold.authorities, 1e-8, 1e-10);
  });
});
