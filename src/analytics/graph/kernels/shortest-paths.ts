import type { Csr } from '../csr';

/**
 * Brandes' single-source stage: from one source, every reached node in non-decreasing distance
 * (`stack`, the first `reached` entries), its number of shortest paths (`sigma`) and its
 * predecessors on them (`predecessorCount[w]` entries of `predecessors` from `offsets[w]`: a
 * node has at most one per incident edge). Buffers are reused from source to source, so one
 * instance serves a whole betweenness run without allocating.
 */
export class ShortestPathDag {
  readonly stack: Int32Array;
  readonly sigma: Float64Array;
  readonly predecessors: Int32Array;
  readonly predecessorCount: Int32Array;
  reached = 0;
  private readonly hops: Int32Array;
  private readonly dijkstra: DijkstraState | null;

  /** With `lengths` (by edge), paths are shortest by summed length (Dijkstra); without, by hops. */
  constructor(
    private readonly csr: Csr,
    private readonly lengths?: Float64Array,
  ) {
    const { nodeCount, offsets } = csr;
    this.stack = new Int32Array(nodeCount);
    this.sigma = new Float64Array(nodeCount);
    this.predecessors = new Int32Array(offsets[nodeCount]);
    this.predecessorCount = new Int32Array(nodeCount);
    this.hops = new Int32Array(nodeCount);
    this.dijkstra = lengths ? new DijkstraState(nodeCount, offsets[nodeCount] + 1) : null;
  }

  from(source: number): this {
    this.sigma.fill(0);
    this.predecessorCount.fill(0);
    if (this.dijkstra) this.byLength(source, this.dijkstra, this.lengths!);
    else this.byHops(source);
    return this;
  }

  private addPredecessor(node: number, predecessor: number): void {
    this.predecessors[this.csr.offsets[node] + this.predecessorCount[node]++] = predecessor;
  }

  private byHops(source: number): void {
    const { offsets, neighbors } = this.csr;
    const { stack, sigma, hops } = this;
    hops.fill(-1);
    sigma[source] = 1;
    hops[source] = 0;
    stack[0] = source;
    let tail = 1;
    // The stack doubles as the BFS queue: nodes leave it in the order they entered.
    for (let head = 0; head < tail; head++) {
      const node = stack[head];
      const next = hops[node] + 1;
      for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
        const neighbor = neighbors[entry];
        if (hops[neighbor] === -1) {
          hops[neighbor] = next;
          stack[tail++] = neighbor;
        }
        if (hops[neighbor] === next) {
          sigma[neighbor] += sigma[node];
          this.addPredecessor(neighbor, node);
        }
      }
    }
    this.reached = tail;
  }

  /** networkx's _single_source_dijkstra_path_basic, step for step (ties settle in push order). */
  private byLength(source: number, state: DijkstraState, lengths: Float64Array): void {
    const { offsets, neighbors, edges } = this.csr;
    const { stack, sigma, predecessorCount } = this;
    const { settled, seen } = state;
    settled.fill(-1);
    seen.fill(-1);
    sigma[source] = 1;
    seen[source] = 0;
    state.push(0, source, source);
    let reached = 0;
    while (state.size > 0) {
      const distance = state.topDistance();
      const predecessor = state.topPredecessor();
      const node = state.pop();
      if (settled[node] !== -1) continue;
      sigma[node] += sigma[predecessor];
      stack[reached++] = node;
      settled[node] = distance;
      for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
        const neighbor = neighbors[entry];
        const cost = distance + lengths[edges[entry]];
        if (settled[neighbor] === -1 && (seen[neighbor] === -1 || cost < seen[neighbor])) {
          seen[neighbor] = cost;
          state.push(cost, node, neighbor);
          sigma[neighbor] = 0;
          predecessorCount[neighbor] = 0;
          this.addPredecessor(neighbor, node);
        } else if (cost === seen[neighbor]) {
          sigma[neighbor] += sigma[node];
          this.addPredecessor(neighbor, node);
        }
      }
    }
    this.reached = reached;
  }
}

/** Dijkstra's buffers: a binary heap ordered by (distance, push order), in typed arrays. */
class DijkstraState {
  readonly settled: Float64Array;
  readonly seen: Float64Array;
  size = 0;
  private pushes = 0;
  private readonly distance: Float64Array;
  private readonly order: Float64Array;
  private readonly predecessor: Int32Array;
  private readonly node: Int32Array;

  constructor(nodeCount: number, capacity: number) {
    this.settled = new Float64Array(nodeCount);
    this.seen = new Float64Array(nodeCount);
    this.distance = new Float64Array(capacity);
    this.order = new Float64Array(capacity);
    this.predecessor = new Int32Array(capacity);
    this.node = new Int32Array(capacity);
  }

  topDistance(): number {
    return this.distance[0];
  }

  topPredecessor(): number {
    return this.predecessor[0];
  }

  push(distance: number, predecessor: number, node: number): void {
    let slot = this.size++;
    const order = this.pushes++;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.before(distance, order, parent)) break;
      this.move(parent, slot);
      slot = parent;
    }
    this.place(slot, distance, order, predecessor, node);
  }

  /** Removes the top entry and returns its node. */
  pop(): number {
    const top = this.node[0];
    const last = --this.size;
    const distance = this.distance[last];
    const order = this.order[last];
    const predecessor = this.predecessor[last];
    const node = this.node[last];
    let slot = 0;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= last) break;
      if (child + 1 < last && this.before(this.distance[child + 1], this.order[child + 1], child)) child++;
      if (!this.before(this.distance[child], this.order[child], slot, distance, order)) break;
      this.move(child, slot);
      slot = child;
    }
    if (last > 0) this.place(slot, distance, order, predecessor, node);
    if (this.size === 0) this.pushes = 0;
    return top;
  }

  /** Whether (distance, order) comes before the entry in `slot`, or before the given pair. */
  private before(distance: number, order: number, slot: number, otherDistance = this.distance[slot], otherOrder = this.order[slot]): boolean {
    return distance < otherDistance || (distance === otherDistance && order < otherOrder);
  }

  private move(from: number, to: number): void {
    this.place(to, this.distance[from], this.order[from], this.predecessor[from], this.node[from]);
  }

  private place(slot: number, distance: number, order: number, predecessor: number, node: number): void {
    this.distance[slot] = distance;
    this.order[slot] = order;
    this.predecessor[slot] = predecessor;
    this.node[slot] = node;
  }
}
