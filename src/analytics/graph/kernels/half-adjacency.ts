import type { Csr } from '../csr';

/**
 * Each undirected edge once, listed under its end of lower degree (ties: the lower index), with
 * its weight. Walking it node by node, the scattered reads and writes land on the other ends,
 * the high-degree nodes (on the relation graph: the few providers), which stay in cache; walking
 * the full CSR instead reads every consumer's value at random from each provider's row.
 */
export interface HalfAdjacency {
  offsets: Int32Array;
  neighbors: Int32Array;
  /** By entry; null when every edge weighs 1. */
  weights: Float64Array | null;
}

export function halfAdjacency(csr: Csr, weights?: Float64Array): HalfAdjacency {
  const { nodeCount, offsets: full, neighbors: fullNeighbors, edges } = csr;
  const degree = (node: number) => full[node + 1] - full[node];
  const listedUnder = (node: number, neighbor: number) =>
    degree(node) < degree(neighbor) || (degree(node) === degree(neighbor) && node < neighbor);
  const offsets = new Int32Array(nodeCount + 1);
  const neighbors = new Int32Array(csr.edgeCount);
  const entryWeights = weights ? new Float64Array(csr.edgeCount) : null;
  let size = 0;
  for (let node = 0; node < nodeCount; node++) {
    offsets[node] = size;
    for (let entry = full[node]; entry < full[node + 1]; entry++) {
      const neighbor = fullNeighbors[entry];
      if (!listedUnder(node, neighbor)) continue;
      if (entryWeights) entryWeights[size] = weights![edges[entry]];
      neighbors[size++] = neighbor;
    }
  }
  offsets[nodeCount] = size;
  return { offsets, neighbors, weights: entryWeights };
}

/** output += A · input, A the weighted adjacency matrix (symmetric, so each edge serves both ways). */
export function addAdjacencyProduct(half: HalfAdjacency, input: Float64Array, output: Float64Array): void {
  const { offsets, neighbors, weights } = half;
  const nodeCount = offsets.length - 1;
  for (let node = 0; node < nodeCount; node++) {
    const value = input[node];
    let sum = 0;
    const end = offsets[node + 1];
    if (weights) {
      for (let entry = offsets[node]; entry < end; entry++) {
        const neighbor = neighbors[entry];
        const weight = weights[entry];
        sum += input[neighbor] * weight;
        output[neighbor] += value * weight;
      }
    } else {
      for (let entry = offsets[node]; entry < end; entry++) {
        const neighbor = neighbors[entry];
        sum += input[neighbor];
        output[neighbor] += value;
      }
    }
    output[node] += sum;
  }
}
