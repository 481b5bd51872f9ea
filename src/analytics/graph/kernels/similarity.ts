import type { Csr } from '../csr';

export interface SimilarNode {
  node: number;
  /** Cosine similarity of the two neighbour sets: shared / √(deg(a)·deg(b)), from 0 to 1. */
  similarity: number;
  /** Neighbours the two have in common. */
  shared: number;
}

/**
 * The `first` nodes whose neighbour sets overlap most with `node`'s, by cosine similarity: for
 * a provider, the providers sharing its consumers; for a consumer, the consumers sharing its
 * providers. Ties go to more shared neighbours, then to the lower `ids` entry (the parties'
 * IDs, as similarProviders/similarConsumers order node keys; absent, the node index).
 */
export function similarNodes(csr: Csr, node: number, first: number, ids?: Int32Array): SimilarNode[] {
  const { offsets, neighbors } = csr;
  if (first <= 0 || node < 0 || node >= csr.nodeCount) return [];
  const shared = new Int32Array(csr.nodeCount);
  const reached: number[] = [];
  for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
    const middle = neighbors[entry];
    for (let second = offsets[middle]; second < offsets[middle + 1]; second++) {
      const other = neighbors[second];
      if (other === node) continue;
      if (shared[other]++ === 0) reached.push(other);
    }
  }
  const degreeOf = (of: number) => offsets[of + 1] - offsets[of];
  const similar = reached.map((other) => ({
    node: other,
    similarity: shared[other] / Math.sqrt(degreeOf(node) * degreeOf(other)),
    shared: shared[other],
  }));
  const idOf = (of: number) => (ids ? ids[of] : of);
  return topBy(similar, first, (a, b) => b.similarity - a.similarity || b.shared - a.shared || idOf(a.node) - idOf(b.node));
}

/** The `first` best items by `compare`, without sorting the whole list when it is long. */
export function topBy<T>(items: T[], first: number, compare: (a: T, b: T) => number): T[] {
  if (first <= 0) return [];
  if (items.length <= first * 8) return items.sort(compare).slice(0, first);
  const best: T[] = [];
  for (const item of items) {
    if (best.length === first && compare(item, best[first - 1]) >= 0) continue;
    let position = best.length < first ? best.length : first - 1;
    while (position > 0 && compare(item, best[position - 1]) < 0) position--;
    best.splice(position, 0, item);
    if (best.length > first) best.pop();
  }
  return best;
}
