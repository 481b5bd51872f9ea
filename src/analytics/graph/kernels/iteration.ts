/** What the power-iteration kernels (PageRank, eigenvector, HITS) share. */

export interface IterationOptions {
  /** Convergence threshold, read as each kernel's reference implementation reads it. */
  tolerance?: number;
  maxIterations?: number;
  /**
   * A warm start: the previous version's vector, one entry per node in this CSR's node order
   * (0 for new nodes). Only its direction matters; the kernel rescales it. The stopping rule
   * bounds the total (L1) error, not each node's: after a warm start the error that remains sits
   * near the changed edges, so a low-scored node there can differ from a cold start's value by
   * more than the cold start's own error. PageRank settles those nodes first (pagerank.ts).
   */
  start?: Float64Array;
}

export interface IterationResult {
  /** One score per node, in the CSR's node order. */
  scores: Float64Array;
  /** Power steps taken until convergence. */
  iterations: number;
}

/** Tight enough that iterative metrics agree with networkx to better than 1e-6 relative. */
export const DEFAULT_ITERATION = { tolerance: 1e-12, maxIterations: 10_000 } as const;

export class ConvergenceError extends Error {
  constructor(kernel: string, maxIterations: number) {
    super(`${kernel} did not converge in ${maxIterations} iterations: raise maxIterations or the tolerance`);
    this.name = 'ConvergenceError';
  }
}

/**
 * A copy of the warm start scaled so that `norm` of it is 1, or null when there is none to use
 * (absent, or all zeros). A start of the wrong length is a caller's bug, so it throws.
 */
export function scaledStart(start: Float64Array | undefined, nodeCount: number, norm: (vector: Float64Array) => number): Float64Array | null {
  if (!start) return null;
  if (start.length !== nodeCount) {
    throw new RangeError(`the warm start has ${start.length} entries for ${nodeCount} nodes: map it onto this graph's node order first`);
  }
  const size = norm(start);
  if (!(size > 0) || !Number.isFinite(size)) return null;
  const scaled = new Float64Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) scaled[node] = start[node] / size;
  return scaled;
}

// Plain loops: a typed array's map and reduce call their callback per element without inlining
// it, which at 10^5 nodes cost a warm start as much as its sweeps.

export function sumNorm(vector: Float64Array): number {
  let sum = 0;
  for (let index = 0; index < vector.length; index++) sum += Math.abs(vector[index]);
  return sum;
}

export function maxNorm(vector: Float64Array): number {
  let max = 0;
  for (let index = 0; index < vector.length; index++) max = Math.max(max, Math.abs(vector[index]));
  return max;
}

export function euclideanNorm(vector: Float64Array): number {
  let sum = 0;
  for (let index = 0; index < vector.length; index++) sum += vector[index] * vector[index];
  return Math.sqrt(sum);
}

export function l1Distance(a: Float64Array, b: Float64Array): number {
  let distance = 0;
  for (let index = 0; index < a.length; index++) distance += Math.abs(a[index] - b[index]);
  return distance;
}
