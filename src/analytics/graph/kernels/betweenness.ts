import type { Csr } from '../csr';
import type { CentralityScores } from '../centrality';
import { type PathMetricOptions, sampleSources } from './sampling';
import { ShortestPathDag } from './shortest-paths';

export interface BetweennessOptions {
  /** Per-edge weights, read as lengths 1/w (a stronger tie is a shorter edge); absent, hops. */
  weights?: Float64Array;
  /** Accumulate from these sources only (Brandes 2008), rescaled by n/k; absent, from every node. */
  sources?: Int32Array;
}

/**
 * Betweenness centrality normalized as networkx does for undirected graphs, 1/((n−1)(n−2)),
 * by Brandes' algorithm; from a sample of k sources, the sum is also scaled by n/k as networkx's
 * `betweenness_centrality(k=...)` does.
 */
export function betweennessCentrality(csr: Csr, options: BetweennessOptions = {}): Float64Array {
  const { nodeCount } = csr;
  const lengths = options.weights?.map((weight) => 1 / weight);
  const dag = new ShortestPathDag(csr, lengths);
  const { stack, sigma, predecessors, predecessorCount } = dag;
  const offsets = csr.offsets;
  const sources = options.sources ?? Int32Array.from({ length: nodeCount }, (_, node) => node);
  const delta = new Float64Array(nodeCount);
  const centrality = new Float64Array(nodeCount);

  for (const source of sources) {
    dag.from(source);
    for (let index = 0; index < dag.reached; index++) delta[stack[index]] = 0;
    for (let index = dag.reached - 1; index >= 0; index--) {
      const node = stack[index];
      const coefficient = (1 + delta[node]) / sigma[node];
      const first = offsets[node];
      for (let entry = first; entry < first + predecessorCount[node]; entry++) {
        const predecessor = predecessors[entry];
        delta[predecessor] += sigma[predecessor] * coefficient;
      }
      if (node !== source) centrality[node] += delta[node];
    }
  }

  if (nodeCount > 2) {
    const scale = (1 / ((nodeCount - 1) * (nodeCount - 2))) * (nodeCount / sources.length);
    for (let node = 0; node < nodeCount; node++) centrality[node] *= scale;
  }
  return centrality;
}

/**
 * Exact betweenness up to `exactMaxNodes` nodes; past it, the estimate from `samples` sources
 * drawn with seedrandom(seed), reproducible for a given seed and graph.
 */
export function betweenness(csr: Csr, options: PathMetricOptions & { weights?: Float64Array }): CentralityScores {
  const { nodeCount } = csr;
  if (nodeCount <= options.exactMaxNodes) {
    return { scores: betweennessCentrality(csr, { weights: options.weights }), approximate: false, sampleSize: null };
  }
  const sources = sampleSources(nodeCount, Math.min(options.samples, nodeCount), options.seed);
  return { scores: betweennessCentrality(csr, { weights: options.weights, sources }), approximate: true, sampleSize: sources.length };
}
