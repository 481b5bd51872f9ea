const NONE = -1;
const INITIAL_CAPACITY = 1024;

/**
 * Pair slots by their two node slots, in open addressing over one Int32Array (half full at most):
 * one probe finds a pair in the common case, where walking a node's list of pairs touches every
 * pair of it. The pairs' ends live in the store's columns, which every call passes.
 */
export class PairIndex {
  private table: Int32Array;
  private count = 0;

  /** Room for `pairs` pairs before the table grows. */
  constructor(pairs = INITIAL_CAPACITY / 2) {
    let length = INITIAL_CAPACITY;
    while (length < 2 * pairs) length *= 2;
    this.table = new Int32Array(length).fill(NONE);
  }

  find(consumer: number, provider: number, consumerOf: Int32Array, providerOf: Int32Array): number {
    const mask = this.table.length - 1;
    for (let at = hash(consumer, provider) & mask; ; at = (at + 1) & mask) {
      const pair = this.table[at];
      if (pair === NONE || (consumerOf[pair] === consumer && providerOf[pair] === provider)) return pair;
    }
  }

  /** Adds a pair that `find` does not hold yet, its ends already in the columns. */
  add(pair: number, consumerOf: Int32Array, providerOf: Int32Array): void {
    if (2 * (this.count + 1) > this.table.length) {
      const old = this.table;
      this.table = new Int32Array(old.length * 2).fill(NONE);
      for (const held of old) if (held !== NONE) this.place(held, consumerOf, providerOf);
    }
    this.place(pair, consumerOf, providerOf);
    this.count++;
  }

  /** Pairs held. */
  get size(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.table.byteLength;
  }

  private place(pair: number, consumerOf: Int32Array, providerOf: Int32Array): void {
    const mask = this.table.length - 1;
    let at = hash(consumerOf[pair], providerOf[pair]) & mask;
    while (this.table[at] !== NONE) at = (at + 1) & mask;
    this.table[at] = pair;
  }
}

function hash(consumer: number, provider: number): number {
  return Math.imul(consumer, 0x9e3779b1) ^ Math.imul(provider, 0x85ebca6b);
}
