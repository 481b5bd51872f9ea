import { CONSUMER, type Csr } from '../csr';
import { ConvergenceError, DEFAULT_ITERATION, type IterationOptions, l1Distance, maxNorm, scaledStart } from './iteration';

export interface HitsOptions extends IterationOptions {
  /** Per-edge weights; absent, every edge weighs 1. The warm start, if any, is the hub vector. */
  weights?: Float64Array;
}

export interface HitsResult {
  /** Hub scores (nonzero on consumers), summing to 1. */
  hubs: Float64Array;
  /** Authority scores (nonzero on providers), summing to 1. */
  authorities: Float64Array;
  iterations: number;
}

/**
 * HITS on the bipartite graph directed from each consumer to its providers, as
 * graphology-metrics computes it with `normalize: true`: each step scales hubs and authorities
 * by their maximum, and the results are finally scaled to sum to 1. Every edge must join a
 * consumer and a provider. A graph without edges has no hubs or authorities: all zeros.
 * One deliberate difference: converged when the hubs' L1 change is below n · tolerance, as
 * PageRank and eigenvector read it. graphology-metrics and networkx read the tolerance as an
 * absolute bound, which rounding alone keeps exceeding at 1e-12 past about 10⁵ nodes: their HITS
 * never converged on the 1M-relation platform (bench/kernels.ts).
 */
export function hits(csr: Csr, sides: Uint8Array, options: HitsOptions = {}): HitsResult {
  const { nodeCount, offsets, neighbors, edges } = csr;
  const { weights, tolerance = DEFAULT_ITERATION.tolerance, maxIterations = DEFAULT_ITERATION.maxIterations } = options;
  let hubs: Float64Array = scaledStart(options.start, nodeCount, maxNorm) ?? new Float64Array(nodeCount).fill(1 / nodeCount);
  let next: Float64Array = new Float64Array(nodeCount);
  const authorities = new Float64Array(nodeCount);
  if (csr.edgeCount === 0) return { hubs: new Float64Array(nodeCount), authorities, iterations: 0 };

  // Walking consumers' rows only, so that the scattered accesses land on the few providers.
  const consumers = Int32Array.from(sides.keys()).filter((node) => sides[node] === CONSUMER);
  const weightOf = (entry: number) => (weights ? weights[edges[entry]] : 1);
  const updateAuthorities = (): number => {
    authorities.fill(0);
    for (const consumer of consumers) {
      const hub = hubs[consumer];
      for (let entry = offsets[consumer]; entry < offsets[consumer + 1]; entry++) authorities[neighbors[entry]] += hub * weightOf(entry);
    }
    return maxNorm(authorities);
  };
  const updateHubs = (): number => {
    next.fill(0);
    let max = 0;
    for (const consumer of consumers) {
      let sum = 0;
      for (let entry = offsets[consumer]; entry < offsets[consumer + 1]; entry++) sum += authorities[neighbors[entry]] * weightOf(entry);
      next[consumer] = sum;
      if (sum > max) max = sum;
    }
    return max;
  };

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const maxAuthority = updateAuthorities();
    const maxHub = updateHubs();
    for (let node = 0; node < nodeCount; node++) {
      next[node] /= maxHub;
      authorities[node] /= maxAuthority;
    }
    if (l1Distance(next, hubs) < nodeCount * tolerance) {
      return { hubs: scaleToSum(next), authorities: scaleToSum(authorities), iterations: iteration };
    }
    [hubs, next] = [next, hubs];
  }
  throw new ConvergenceError('HITS', maxIterations);
}

function scaleToSum(vector: Float64Array): Float64Array {
  const sum = vector.reduce((total, value) => total + value, 0);
  return vector.map((value) => value / sum);
}
