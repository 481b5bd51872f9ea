import type { Csr } from '../csr';
import { weightedDegree } from './degree';
import { addAdjacencyProduct, halfAdjacency } from './half-adjacency';
import { ConvergenceError, DEFAULT_ITERATION, type IterationOptions, type IterationResult, scaledStart, sumNorm } from './iteration';

export interface PagerankOptions extends IterationOptions {
  /** Damping: the probability of following an edge rather than jumping anywhere. */
  alpha?: number;
  /** Per-edge weights; absent, every edge weighs 1. */
  weights?: Float64Array;
}

/**
 * PageRank as networkx and graphology-metrics compute it on an undirected graph: a walker
 * leaves a node along an edge with probability proportional to its weight; a node without
 * weighted edges (isolated, or only zero weights) is dangling and spreads its rank evenly over
 * all nodes; converged when the L1 change of one step is below n · tolerance.
 */
export function pagerank(csr: Csr, options: PagerankOptions = {}): IterationResult {
  const { nodeCount } = csr;
  const { alpha = 0.85, weights, tolerance = DEFAULT_ITERATION.tolerance, maxIterations = DEFAULT_ITERATION.maxIterations } = options;
  if (nodeCount === 0) return { scores: new Float64Array(0), iterations: 0 };

  const half = halfAdjacency(csr, weights);
  const inverseStrength = weightedDegree(csr, weights).map((strength) => (strength > 0 ? 1 / strength : 0));
  let rank: Float64Array = scaledStart(options.start, nodeCount, sumNorm) ?? new Float64Array(nodeCount).fill(1 / nodeCount);
  let next: Float64Array = new Float64Array(nodeCount);
  // Each node's rank per unit of edge weight, which its edges carry to its neighbours.
  const outflow = new Float64Array(nodeCount);
  let dangling = 0;
  for (let node = 0; node < nodeCount; node++) {
    if (inverseStrength[node] === 0) dangling += rank[node];
    outflow[node] = alpha * rank[node] * inverseStrength[node];
  }

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    next.fill((alpha * dangling + (1 - alpha)) / nodeCount);
    addAdjacencyProduct(half, outflow, next);
    let change = 0;
    dangling = 0;
    for (let node = 0; node < nodeCount; node++) {
      change += Math.abs(next[node] - rank[node]);
      if (inverseStrength[node] === 0) dangling += next[node];
      outflow[node] = alpha * next[node] * inverseStrength[node];
    }
    if (change < nodeCount * tolerance) return { scores: next, iterations: iteration };
    [rank, next] = [next, rank];
  }
  throw new ConvergenceError('PageRank', maxIterations);
}
