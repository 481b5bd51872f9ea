import { type Csr, PROVIDER } from '../csr';
import { ConvergenceError, DEFAULT_ITERATION, type IterationOptions, type IterationResult } from './iteration';
import { type NodeReason, type ScoredNode, type ScoringOptions, finish, ownProviders } from './item-models';

export interface PersonalizedPagerankOptions extends Omit<IterationOptions, 'start'> {
  /** Damping: the probability of following an edge rather than jumping back to the source. */
  alpha?: number;
}

/**
 * PageRank personalized to one node, as networkx computes `pagerank(G, personalization={source: 1})`
 * on an unweighted undirected graph: the walker follows a random edge with probability alpha and
 * otherwise jumps back to `source`; a node without edges (dangling) also sends its rank back to
 * `source`. Converged when the L1 change of one step is below n · tolerance.
 */
export function personalizedPagerank(csr: Csr, source: number, options: PersonalizedPagerankOptions = {}): IterationResult {
  const { nodeCount, offsets, neighbors } = csr;
  if (source < 0 || source >= nodeCount) throw new RangeError(`source ${source} is not a node of this graph (0 to ${nodeCount - 1})`);
  const { alpha = 0.85, tolerance = DEFAULT_ITERATION.tolerance, maxIterations = DEFAULT_ITERATION.maxIterations } = options;
  let rank = new Float64Array(nodeCount).fill(1 / nodeCount);
  let next = new Float64Array(nodeCount);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    next.fill(0);
    let dangling = 0;
    for (let node = 0; node < nodeCount; node++) {
      const degree = offsets[node + 1] - offsets[node];
      if (degree === 0) {
        dangling += rank[node];
        continue;
      }
      const share = (alpha * rank[node]) / degree;
      for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) next[neighbors[entry]] += share;
    }
    next[source] += alpha * dangling + (1 - alpha);
    let change = 0;
    for (let node = 0; node < nodeCount; node++) change += Math.abs(next[node] - rank[node]);
    [rank, next] = [next, rank];
    if (change < nodeCount * tolerance) return { scores: rank, iterations: iteration };
  }
  throw new ConvergenceError('personalized PageRank', maxIterations);
}

/**
 * The providers `consumer` does not use yet, by their personalized PageRank from it. A reason
 * is an own provider sharing consumers with the recommended one; the score is apportioned to
 * the reasons by those shared counts (the walk mostly passes through them).
 */
export function recommendByPersonalizedPagerank(
  csr: Csr,
  sides: Uint8Array,
  consumer: number,
  options: ScoringOptions & PersonalizedPagerankOptions,
): ScoredNode[] {
  const own = ownProviders(csr, consumer);
  if (own.size === 0) return [];
  const { scores } = personalizedPagerank(csr, consumer, options);
  const scored: ScoredNode[] = [];
  for (let node = 0; node < csr.nodeCount; node++) {
    if (sides[node] === PROVIDER && !own.has(node) && scores[node] > 0) scored.push({ node, score: scores[node], reasons: [] });
  }
  const best = finish(scored, { ...options, reasons: 0 });
  for (const entry of best) entry.reasons = sharedConsumerReasons(csr, own, entry);
  return finish(best, options);
}

function sharedConsumerReasons(csr: Csr, own: ReadonlySet<number>, entry: ScoredNode): NodeReason[] {
  const { offsets, neighbors } = csr;
  const shared = new Map<number, number>();
  for (let a = offsets[entry.node]; a < offsets[entry.node + 1]; a++) {
    const middle = neighbors[a];
    for (let b = offsets[middle]; b < offsets[middle + 1]; b++) {
      const provider = neighbors[b];
      if (own.has(provider)) shared.set(provider, (shared.get(provider) ?? 0) + 1);
    }
  }
  const total = [...shared.values()].reduce((sum, count) => sum + count, 0);
  return [...shared].map(([provider, count]) => ({ provider, sharedConsumers: count, contribution: (entry.score * count) / total }));
}
