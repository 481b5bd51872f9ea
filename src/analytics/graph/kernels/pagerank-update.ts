import type { Csr, EdgeEnds } from '../csr';
import { DEFAULT_ITERATION, sumNorm } from './iteration';
import { type PagerankResult, type PagerankState, normalised, pushResiduals, sharesOf } from './pagerank';

export interface PagerankUpdateOptions {
  /** The new graph's edges by their ends. */
  ends: EdgeEnds;
  /** The new graph's weights by edge; absent, every edge weighs 1. */
  weights?: Float64Array;
  tolerance?: number;
}

/**
 * The first round of pushes bounds each residual by this many times the stopping rule's share
 * per node (tolerance · Σz), times the node's allowance; each later round by NARROWING times
 * less, until the residuals' sum is within the rule. After one write on the 1M-relation platform
 * this takes two rounds, visiting a quarter to a half of the entries a sweep does; a first bound
 * of 10 took 40% longer, and narrowing by as much as the sum is still over the rule (2 to 8
 * times) took four rounds and twice the visits. Past MAX_ROUNDS the bound is far below any
 * residual.
 */
const FIRST_BOUND = 20;
const NARROWING = 8;
const MAX_ROUNDS = 20;

/**
 * Last, each node's residual is pushed until it is within POLISHED · n · tolerance of the node's
 * own z. The L1 rule leaves the low-ranked nodes next to a change relatively further off than a
 * computation leaves them: after one write on the 1M-relation platform this brings the node
 * furthest from a computation's answer from 1.9e-6 to 1.1e-6 (relative), for 1–5% more visits.
 * At 1 it would push most nodes once more: their residuals from the last computation are that large.
 */
const POLISHED = 4;

/**
 * How many times over the stopping rule the residuals may start for pushes to pay. Pushing costs
 * in proportion to that excess where sweeps cost its logarithm: on the 1M-relation platform one
 * write starts 16–32 times over and is pushed down in a quarter to a half of a sweep's visits,
 * ten writes start 200–300 times over and would take 3–4 sweeps' visits, more than a warm start
 * spends. One write on 10⁴ nodes starts 2,000–3,000 times over: the rule asks n · tolerance of
 * the L1 sum, tighter per node the smaller the graph.
 */
const MAX_START_EXCESS = 64;

/**
 * PageRank of a graph that only added to the one `previous` was solved on (its nodes and edges
 * first, in their order, with weights changed and nodes and edges appended), without a sweep.
 *
 * The previous residuals are exact, so they change only where the graph did: at the ends of a
 * changed edge, and along every edge of a node whose strength changed, since what it carries did.
 * Those are fixed in place, then pushed (pushResiduals) until the residuals' L1 sum is within
 * n · tolerance · Σz: the change a sweep stops at, measured at the solution rather than between
 * two sweeps. The error of z / Σz is then within that over 1 − α however many updates follow
 * each other. Last, each node's own residual is brought within its share (POLISHED).
 *
 * Returns null when the graph is not such a successor (an edge removed, or the first edges' ends
 * changed), or when the change is too large for pushes to pay: then a warm-started computation
 * costs less.
 */
export function updatePagerank(previous: PagerankState, csr: Csr, options: PagerankUpdateOptions): PagerankResult | null {
  const { ends, tolerance = DEFAULT_ITERATION.tolerance } = options;
  const weights = options.weights ?? null;
  const { nodeCount } = csr;
  if (nodeCount < previous.z.length || ends.sources.length !== csr.edgeCount) return null;
  const { alpha } = previous;
  const z = grown(previous.z, nodeCount, 0);
  const strengths = grown(previous.strengths, nodeCount, 0);
  const vectors = {
    z,
    carried: carriedBy(z, strengths, alpha),
    // A new node's z starts at 0, so its residual starts at 1; its inflow comes with its edges.
    residual: grown(previous.residual, nodeCount, 1),
  };
  const changed = reweigh(previous, ends, weights, vectors);
  if (!changed) return null;
  recarry(csr, weights, alpha, changed, strengths, vectors);

  const excess = () => sumNorm(vectors.residual) / (nodeCount * tolerance * sumNorm(vectors.z));
  if (excess() > MAX_START_EXCESS) return null;
  const graph = { ...csr, weights, ...sharesOf(strengths, alpha) };
  // A push visits an entry at two to three times a sweep's cost, and a warm start spends six to
  // eight sweeps' worth: past two sweeps' visits, it is the cheaper way.
  let budget = 2 * csr.neighbors.length;
  let unit = FIRST_BOUND * tolerance * sumNorm(vectors.z);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    budget = pushResiduals(graph, vectors, unit, budget);
    if (budget < 0) return null;
    if (excess() < 1) {
      if (pushResiduals({ ...graph, allowance: relativeToMean(vectors.z) }, vectors, POLISHED * tolerance * sumNorm(vectors.z), budget) < 0) return null;
      const total = sumNorm(vectors.z);
      return { scores: normalised(z, total), iterations: 0, state: { alpha, ends, weights, strengths, z, residual: vectors.residual } };
    }
    unit /= NARROWING;
  }
  return null;
}

/** Each value over their mean. */
function relativeToMean(vector: Float64Array): Float64Array {
  const mean = sumNorm(vector) / vector.length;
  const relative = new Float64Array(vector.length);
  for (let index = 0; index < vector.length; index++) relative[index] = vector[index] / mean;
  return relative;
}

/**
 * Edges compared at once by their bytes (a native comparison), then one by one only where a block
 * differs: after a few writes nearly every block of a million edges is unchanged, and comparing
 * them in JavaScript was a fifth of an update's time.
 */
const BLOCK = 4096;

/**
 * Fixes the residuals at the ends of every edge whose weight changed (a new edge weighed 0), at
 * what the other end carried before. Returns the nodes whose strength changed, or null when an
 * edge of the previous graph is gone or joins other nodes.
 */
function reweigh(previous: PagerankState, ends: EdgeEnds, weights: Float64Array | null, vectors: { carried: Float64Array; residual: Float64Array }): Int32Array | null {
  const { carried, residual } = vectors;
  const { sources, targets } = ends;
  const before = previous.ends;
  const previousCount = before.sources.length;
  if (sources.length < previousCount) return null;
  if (!sameValues(sources, before.sources, 0, previousCount) || !sameValues(targets, before.targets, 0, previousCount)) return null;
  const weightOf = (edge: number) => (weights ? weights[edge] : 1);
  const weightBefore = (edge: number) => (edge >= previousCount ? 0 : previous.weights ? previous.weights[edge] : 1);
  const changed = new Set<number>();
  for (let from = 0; from < sources.length; from += BLOCK) {
    const to = Math.min(from + BLOCK, sources.length);
    if (to <= previousCount && sameWeights(weights, previous.weights, from, to)) continue;
    for (let edge = from; edge < to; edge++) {
      const difference = weightOf(edge) - weightBefore(edge);
      if (difference === 0) continue;
      residual[targets[edge]] += difference * carried[sources[edge]];
      residual[sources[edge]] += difference * carried[targets[edge]];
      changed.add(sources[edge]).add(targets[edge]);
    }
  }
  return Int32Array.from(changed);
}

/** Whether two graphs' weights agree on edges [from, to); null weighs every edge 1. */
function sameWeights(a: Float64Array | null, b: Float64Array | null, from: number, to: number): boolean {
  if (a && b) return sameValues(a, b, from, to);
  return a === b; // both unweighted; one weighted is compared edge by edge
}

/** Whether `a` and `b` hold the same bytes at indexes [from, to). */
function sameValues(a: Int32Array | Float64Array, b: Int32Array | Float64Array, from: number, to: number): boolean {
  const bytes = (array: Int32Array | Float64Array) =>
    Buffer.from(array.buffer, array.byteOffset + from * array.BYTES_PER_ELEMENT, (to - from) * array.BYTES_PER_ELEMENT);
  return bytes(a).equals(bytes(b));
}

/**
 * A node whose strength changed carries another share of its z along each edge: its neighbours'
 * residuals move by the difference, over the new weights.
 */
function recarry(csr: Csr, weights: Float64Array | null, alpha: number, changed: Int32Array, strengths: Float64Array, vectors: { z: Float64Array; carried: Float64Array; residual: Float64Array }): void {
  const { offsets, neighbors, edges } = csr;
  const { z, carried, residual } = vectors;
  for (const node of changed) {
    const end = offsets[node + 1];
    let strength = 0;
    for (let entry = offsets[node]; entry < end; entry++) strength += weights ? weights[edges[entry]] : 1;
    strengths[node] = strength;
    const difference = (strength > 0 ? z[node] * (alpha / strength) : 0) - carried[node];
    if (difference === 0) continue;
    carried[node] += difference;
    for (let entry = offsets[node]; entry < end; entry++) residual[neighbors[entry]] += difference * (weights ? weights[edges[entry]] : 1);
  }
}

/** What each node carries per unit of edge weight, α · z / strength (0 when dangling), as the sweeps compute it. */
function carriedBy(z: Float64Array, strengths: Float64Array, alpha: number): Float64Array {
  const carried = new Float64Array(z.length);
  for (let node = 0; node < z.length; node++) if (strengths[node] > 0) carried[node] = z[node] * (alpha / strengths[node]);
  return carried;
}

function grown(array: Float64Array, length: number, fill: number): Float64Array {
  const copy = new Float64Array(length);
  copy.set(array);
  copy.fill(fill, array.length);
  return copy;
}
