import { CONSUMER, type Csr } from '../csr';

export interface Components {
  count: number;
  /** Each node's component, numbered from 0 in the order of each component's lowest node. */
  membership: Int32Array;
  /** Nodes per component, by component number. */
  sizes: Int32Array;
  largestSize: number;
}

/** Connected components by breadth-first search; an isolated node is a component of its own. */
export function connectedComponents(csr: Csr): Components {
  const { nodeCount, offsets, neighbors } = csr;
  const membership = new Int32Array(nodeCount).fill(-1);
  const queue = new Int32Array(nodeCount);
  const sizes: number[] = [];
  for (let root = 0; root < nodeCount; root++) {
    if (membership[root] !== -1) continue;
    const component = sizes.length;
    membership[root] = component;
    queue[0] = root;
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const node = queue[head];
      for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
        const neighbor = neighbors[entry];
        if (membership[neighbor] !== -1) continue;
        membership[neighbor] = component;
        queue[tail++] = neighbor;
      }
    }
    sizes.push(tail);
  }
  const largestSize = sizes.reduce((largest, size) => Math.max(largest, size), 0);
  return { count: sizes.length, membership, sizes: Int32Array.from(sizes), largestSize };
}

export interface GraphStatistics {
  consumers: number;
  providers: number;
  edges: number;
  /** Edges over possible node pairs, 2m / (n (n − 1)), as networkx's `density`. */
  density: number;
  connectedComponents: number;
  largestComponentSize: number;
}

export function graphStatistics(csr: Csr, sides: Uint8Array): GraphStatistics {
  const { nodeCount, edgeCount } = csr;
  const consumers = sides.reduce((count, side) => count + (side === CONSUMER ? 1 : 0), 0);
  const components = connectedComponents(csr);
  return {
    consumers,
    providers: nodeCount - consumers,
    edges: edgeCount,
    density: nodeCount > 1 ? (2 * edgeCount) / (nodeCount * (nodeCount - 1)) : 0,
    connectedComponents: components.count,
    largestComponentSize: components.largestSize,
  };
}
