import type { Csr } from '../csr';

/** Degree centrality: each node's degree over n − 1, as networkx (1 for a lone node, as networkx). */
export function degreeCentrality(csr: Csr): Float64Array {
  const { nodeCount, offsets } = csr;
  const scores = new Float64Array(nodeCount);
  if (nodeCount === 1) {
    scores[0] = 1;
    return scores;
  }
  for (let node = 0; node < nodeCount; node++) scores[node] = (offsets[node + 1] - offsets[node]) / (nodeCount - 1);
  return scores;
}

/** Each node's summed incident edge weight, its strength (its degree when `weights` is absent). */
export function weightedDegree(csr: Csr, weights?: Float64Array): Float64Array {
  const { nodeCount, offsets, edges } = csr;
  const strengths = new Float64Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) {
    const end = offsets[node + 1];
    if (!weights) {
      strengths[node] = end - offsets[node];
      continue;
    }
    let sum = 0;
    for (let entry = offsets[node]; entry < end; entry++) sum += weights[edges[entry]];
    strengths[node] = sum;
  }
  return strengths;
}
