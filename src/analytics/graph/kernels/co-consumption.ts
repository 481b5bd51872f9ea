import { type Csr, PROVIDER } from '../csr';
import type { Adjacency } from '../adjacency';

/**
 * Provider–provider co-consumption as a sparse symmetric matrix in CSR form: row `p` (a node
 * index; consumers' rows are empty) lists, by ascending node index, the providers sharing at
 * least one consumer with `p`, how many (`shared`) and Σ 1/deg(v) over those shared consumers v
 * (`walk`: the mass a random walk from one provider carries to the other through them, before
 * the providers' own degrees are applied). It is what RP3β recommendations and provider
 * similarity read.
 */
export interface CoConsumptionIndex {
  /** nodeCount + 1 entries: row p is entries offsets[p] to offsets[p + 1] − 1. */
  offsets: Int32Array;
  partners: Int32Array;
  shared: Int32Array;
  walk: Float64Array;
}

/**
 * Builds the index in one pass over each provider's two-hop neighbourhood, accumulating a row
 * at a time in dense scratch arrays: Σ deg(v)² work over consumers v, no per-pair allocation.
 */
export function coConsumptionIndex(csr: Csr, sides: Uint8Array): CoConsumptionIndex {
  const { nodeCount, offsets: adjacency, neighbors } = csr;
  const inverseDegree = new Float64Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) {
    const degree = adjacency[node + 1] - adjacency[node];
    if (degree > 0) inverseDegree[node] = 1 / degree;
  }
  const sharedScratch = new Int32Array(nodeCount);
  const walkScratch = new Float64Array(nodeCount);
  const touched = new Int32Array(nodeCount);
  const offsets = new Int32Array(nodeCount + 1);
  let rows = new Rows(Math.max(16, 2 * csr.edgeCount));

  for (let provider = 0; provider < nodeCount; provider++) {
    offsets[provider] = rows.size;
    if (sides[provider] !== PROVIDER) continue;
    let touchedCount = 0;
    for (let entry = adjacency[provider]; entry < adjacency[provider + 1]; entry++) {
      const consumer = neighbors[entry];
      const mass = inverseDegree[consumer];
      for (let second = adjacency[consumer]; second < adjacency[consumer + 1]; second++) {
        const other = neighbors[second];
        if (other === provider) continue;
        if (sharedScratch[other]++ === 0) touched[touchedCount++] = other;
        walkScratch[other] += mass;
      }
    }
    const row = touched.subarray(0, touchedCount).sort();
    rows = rows.ensure(touchedCount);
    for (const other of row) {
      rows.append(other, sharedScratch[other], walkScratch[other]);
      sharedScratch[other] = 0;
      walkScratch[other] = 0;
    }
  }
  offsets[nodeCount] = rows.size;
  return { offsets, ...rows.trimmed() };
}

/** The entry of the pair (a, b) in the index, or −1 when they share no consumer. */
export function coConsumptionEntry(index: CoConsumptionIndex, a: number, b: number): number {
  let low = index.offsets[a];
  let high = index.offsets[a + 1];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (index.partners[middle] < b) low = middle + 1;
    else high = middle;
  }
  return low < index.offsets[a + 1] && index.partners[low] === b ? low : -1;
}

/** Growable parallel arrays of row entries. */
class Rows {
  size = 0;
  private readonly partners: Int32Array;
  private readonly shared: Int32Array;
  private readonly walk: Float64Array;

  constructor(capacity: number) {
    this.partners = new Int32Array(capacity);
    this.shared = new Int32Array(capacity);
    this.walk = new Float64Array(capacity);
  }

  /** This, or a copy twice as large or more, with room for `more` entries. */
  ensure(more: number): Rows {
    if (this.size + more <= this.partners.length) return this;
    const larger = new Rows(Math.max(2 * this.partners.length, this.size + more));
    larger.partners.set(this.partners.subarray(0, this.size));
    larger.shared.set(this.shared.subarray(0, this.size));
    larger.walk.set(this.walk.subarray(0, this.size));
    larger.size = this.size;
    return larger;
  }

  append(partner: number, shared: number, walk: number): void {
    this.partners[this.size] = partner;
    this.shared[this.size] = shared;
    this.walk[this.size++] = walk;
  }

  trimmed(): { partners: Int32Array; shared: Int32Array; walk: Float64Array } {
    return { partners: this.partners.slice(0, this.size), shared: this.shared.slice(0, this.size), walk: this.walk.slice(0, this.size) };
  }
}

/**
 * One provider's row of the index, computed on demand over any Adjacency (the live store, a
 * snapshot): the same two-hop walk as the index build, for per-node questions that must be exact
 * at the current version. Its scratch arrays are reused from row to row, and neighbours are
 * listed a node at a time (neighborsInto), not visited one call each: ×1.35–1.5 faster at 1M.
 */
export class CoConsumptionRow {
  /** The row's partners, unordered; valid until the next `fill`. */
  partners: Int32Array;
  readonly shared: Int32Array;
  readonly walk: Float64Array;
  private readonly touched: Int32Array;
  /** The row's provider's consumers, and one consumer's providers: grown to the largest degree met. */
  private consumers: Int32Array = new Int32Array(64);
  private others: Int32Array = new Int32Array(64);

  constructor(nodeBound: number) {
    this.shared = new Int32Array(nodeBound);
    this.walk = new Float64Array(nodeBound);
    this.touched = new Int32Array(nodeBound);
    this.partners = this.touched.subarray(0, 0);
  }

  get nodeBound(): number {
    return this.shared.length;
  }

  fill(graph: Adjacency, provider: number): this {
    for (const partner of this.partners) {
      this.shared[partner] = 0;
      this.walk[partner] = 0;
    }
    let count = 0;
    this.consumers = roomFor(this.consumers, graph.degree(provider));
    const consumerCount = graph.neighborsInto(provider, this.consumers);
    for (let first = 0; first < consumerCount; first++) {
      const consumer = this.consumers[first];
      this.others = roomFor(this.others, graph.degree(consumer));
      const degree = graph.neighborsInto(consumer, this.others);
      const mass = 1 / degree;
      for (let second = 0; second < degree; second++) {
        const other = this.others[second];
        if (other === provider) continue;
        if (this.shared[other]++ === 0) this.touched[count++] = other;
        this.walk[other] += mass;
      }
    }
    this.partners = this.touched.subarray(0, count);
    return this;
  }
}

/** `buffer`, or a larger one when it cannot hold `entries`. */
function roomFor(buffer: Int32Array, entries: number): Int32Array {
  return buffer.length >= entries ? buffer : new Int32Array(entries * 2);
}
