import type { Csr } from '../csr';
import { addAdjacencyProduct, halfAdjacency } from './half-adjacency';
import {
  ConvergenceError,
  DEFAULT_ITERATION,
  euclideanNorm,
  type IterationOptions,
  type IterationResult,
  l1Distance,
  scaledStart,
} from './iteration';

export interface EigenvectorOptions extends IterationOptions {
  /** Per-edge weights; absent, every edge weighs 1. */
  weights?: Float64Array;
}

/**
 * Eigenvector centrality as networkx and graphology-metrics compute it: power iteration of
 * (A + I), whose shift keeps bipartite graphs from oscillating, scaled to unit Euclidean norm
 * each step; converged when the L1 change of one step is below n · tolerance.
 */
export function eigenvectorCentrality(csr: Csr, options: EigenvectorOptions = {}): IterationResult {
  const { nodeCount } = csr;
  const { weights, tolerance = DEFAULT_ITERATION.tolerance, maxIterations = DEFAULT_ITERATION.maxIterations } = options;
  if (nodeCount === 0) return { scores: new Float64Array(0), iterations: 0 };

  const half = halfAdjacency(csr, weights);
  let score: Float64Array = scaledStart(options.start, nodeCount, euclideanNorm) ?? new Float64Array(nodeCount).fill(1 / nodeCount);
  let next: Float64Array = new Float64Array(nodeCount);

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    next.set(score);
    addAdjacencyProduct(half, score, next);
    const norm = euclideanNorm(next);
    for (let node = 0; node < nodeCount; node++) next[node] /= norm;
    if (l1Distance(next, score) < nodeCount * tolerance) return { scores: next, iterations: iteration };
    [score, next] = [next, score];
  }
  throw new ConvergenceError('Eigenvector centrality', maxIterations);
}
