import {
  createDijkstraIndexedBrandes,
  createUnweightedIndexedBrandes,
} from 'graphology-shortest-path/indexed-brandes';
import seedrandom from 'seedrandom';
import type { EdgeAttributes, RelationGraph } from './relation-graph';

export interface SampledBetweennessOptions {
  samples: number;
  seed: string;
  getEdgeLength: ((edge: string, attributes: EdgeAttributes) => number) | null;
}

/**
 * Betweenness estimated from `samples` source nodes drawn without replacement (Brandes 2008),
 * with networkx's normalisation for undirected graphs and its n/k rescaling. graphology-metrics
 * computes only the exact O(V·E) value, so the accumulation below follows its code, run over a
 * sample of sources instead of all of them.
 */
export function sampledBetweenness(graph: RelationGraph, options: SampledBetweennessOptions): Float64Array {
  const order = graph.order;
  const brandes = options.getEdgeLength
    ? createDijkstraIndexedBrandes(graph, (edge, attributes) => options.getEdgeLength!(edge, attributes as EdgeAttributes))
    : createUnweightedIndexedBrandes(graph);
  const sources = sampleIndices(order, Math.min(options.samples, order), seedrandom(options.seed));
  const delta = new Float64Array(order);
  const centrality = new Float64Array(order);

  for (const source of sources) {
    const [stack, predecessors, sigma] = brandes(source);
    delta.fill(0);
    while (stack.size !== 0) {
      const w = stack.pop()!;
      const coefficient = (1 + delta[w]) / sigma[w];
      for (const v of predecessors[w]) delta[v] += sigma[v] * coefficient;
      if (w !== source) centrality[w] += delta[w];
    }
  }

  const scale = order <= 2 ? 1 : (1 / ((order - 1) * (order - 2))) * (order / sources.length);
  for (let index = 0; index < order; index++) centrality[index] *= scale;
  return centrality;
}

/** `count` distinct indices below `size`, by a partial Fisher–Yates shuffle. */
function sampleIndices(size: number, count: number, random: () => number): Int32Array {
  const indices = Int32Array.from({ length: size }, (_, index) => index);
  for (let index = 0; index < count; index++) {
    const other = index + Math.floor(random() * (size - index));
    [indices[index], indices[other]] = [indices[other], indices[index]];
  }
  return indices.subarray(0, count);
}
