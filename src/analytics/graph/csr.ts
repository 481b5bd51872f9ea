/**
 * An undirected graph in compressed sparse row form, the shape every analytics kernel reads.
 * Node `v`'s incident edges are the entries `offsets[v]` to `offsets[v + 1] - 1`: entry `i`
 * leads to node `neighbors[i]` through edge `edges[i]` (an index into per-edge arrays such as
 * weights). Each undirected edge appears twice, once from each end; there are no self-loops
 * and no parallel edges.
 */
export interface Csr {
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** nodeCount + 1 entries; offsets[nodeCount] = 2 · edgeCount. */
  readonly offsets: Int32Array;
  readonly neighbors: Int32Array;
  readonly edges: Int32Array;
}

/** Each edge's two ends by edge index: edge e joins sources[e] and targets[e]. */
export interface EdgeEnds {
  readonly sources: Int32Array;
  readonly targets: Int32Array;
}

/** Node sides of the bipartite relation graph, by node index. */
export const CONSUMER = 0;
export const PROVIDER = 1;

/** Makes the arrays a CSR is built in: plain by default, shared memory for snapshots. */
export type Int32Allocator = (length: number) => Int32Array;

/** Builds a CSR from edge end lists (edge e joins sources[e] and targets[e]), by counting sort. */
export function csrFromEdges(
  nodeCount: number,
  sources: Int32Array,
  targets: Int32Array,
  allocate: Int32Allocator = (length) => new Int32Array(length),
): Csr {
  const edgeCount = sources.length;
  const offsets = allocate(nodeCount + 1);
  for (let edge = 0; edge < edgeCount; edge++) {
    offsets[sources[edge] + 1]++;
    offsets[targets[edge] + 1]++;
  }
  for (let node = 0; node < nodeCount; node++) offsets[node + 1] += offsets[node];
  const cursor = offsets.slice(0, nodeCount);
  const neighbors = allocate(2 * edgeCount);
  const edges = allocate(2 * edgeCount);
  for (let edge = 0; edge < edgeCount; edge++) {
    const source = sources[edge];
    const target = targets[edge];
    neighbors[cursor[source]] = target;
    edges[cursor[source]++] = edge;
    neighbors[cursor[target]] = source;
    edges[cursor[target]++] = edge;
  }
  return { nodeCount, edgeCount, offsets, neighbors, edges };
}

export function degreeOf(csr: Csr, node: number): number {
  return csr.offsets[node + 1] - csr.offsets[node];
}
