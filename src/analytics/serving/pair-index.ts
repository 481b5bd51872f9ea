const NONE = -1;
const INITIAL_CAPACITY = 1024;
/** Entries of [consumer, provider, pair + 1]: a probe finds the ends beside the pair, in one cache line. */
const STRIDE = 3;
/** An entry's third number when it holds no pair: a new table is all empty without a fill. */
const EMPTY = 0;

/**
 * Pair slots by their two node slots, in open addressing over one Int32Array (half full at most):
 * one probe finds a pair in the common case, where walking a node's list of pairs touches every
 * pair of it. Each entry holds the pair's ends too, so a probe reads no other column: building a
 * store from a million relations looks a pair up per relation, at random.
 */
export class PairIndex {
  private table: Int32Array;
  private count = 0;

  /** Room for `pairs` pairs before the table grows. */
  constructor(pairs = INITIAL_CAPACITY / 2) {
    let entries = INITIAL_CAPACITY;
    while (entries < 2 * pairs) entries *= 2;
    this.table = emptyTable(entries);
  }

  find(consumer: number, provider: number): number {
    const table = this.table;
    const mask = table.length / STRIDE - 1;
    for (let at = hash(consumer, provider) & mask; ; at = (at + 1) & mask) {
      const held = table[at * STRIDE + 2];
      if (held === EMPTY) return NONE;
      if (table[at * STRIDE] === consumer && table[at * STRIDE + 1] === provider) return held - 1;
    }
  }

  /** Adds a pair that `find` does not hold yet. */
  add(pair: number, consumer: number, provider: number): void {
    if (2 * (this.count + 1) > this.table.length / STRIDE) {
      const old = this.table;
      this.table = emptyTable((2 * old.length) / STRIDE);
      for (let entry = 0; entry < old.length; entry += STRIDE) {
        if (old[entry + 2] !== EMPTY) this.place(old[entry + 2] - 1, old[entry], old[entry + 1]);
      }
    }
    this.place(pair, consumer, provider);
    this.count++;
  }

  /** Pairs held. */
  get size(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.table.byteLength;
  }

  private place(pair: number, consumer: number, provider: number): void {
    const table = this.table;
    const mask = table.length / STRIDE - 1;
    let at = hash(consumer, provider) & mask;
    while (table[at * STRIDE + 2] !== EMPTY) at = (at + 1) & mask;
    table[at * STRIDE] = consumer;
    table[at * STRIDE + 1] = provider;
    table[at * STRIDE + 2] = pair + 1;
  }
}

function emptyTable(entries: number): Int32Array {
  return new Int32Array(entries * STRIDE);
}

function hash(consumer: number, provider: number): number {
  return Math.imul(consumer, 0x9e3779b1) ^ Math.imul(provider, 0x85ebca6b);
}
