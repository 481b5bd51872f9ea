const NONE = -1;
/** An ID this far past the dense range, relative to the IDs held, goes to the map instead. */
const DENSE_SLACK = 65_536;

/**
 * Node slots by party ID. IDs are database keys handed out in sequence, so an array indexed by
 * ID holds them in 4 bytes each and finds them without hashing; the rare ID far beyond the others
 * (set by hand, or after a long-lived sequence jumped) waits in a map until the array reaches it.
 */
export class SlotIndex {
  private dense = new Int32Array(0);
  private readonly sparse = new Map<number, number>();
  private held = 0;

  /** The slot of `id`, or −1. */
  get(id: number): number {
    if (id >= 0 && id < this.dense.length) return this.dense[id];
    return this.sparse.get(id) ?? NONE;
  }

  set(id: number, slot: number): void {
    if (this.get(id) === NONE) this.held++;
    if (id >= this.dense.length && Number.isInteger(id) && id >= 0 && id < 2 * this.held + DENSE_SLACK) this.grow(Math.max(id + 1, Math.ceil(this.dense.length * 1.5)));
    if (id >= 0 && id < this.dense.length) this.dense[id] = slot;
    else this.sparse.set(id, slot);
  }

  delete(id: number): void {
    if (this.get(id) === NONE) return;
    this.held--;
    if (id >= 0 && id < this.dense.length) this.dense[id] = NONE;
    else this.sparse.delete(id);
  }

  /** Gives back the room beyond the highest ID held. */
  trim(): void {
    let end = this.dense.length;
    while (end > 0 && this.dense[end - 1] === NONE) end--;
    if (end < this.dense.length) this.dense = this.dense.slice(0, end);
  }

  /** IDs held. */
  get size(): number {
    return this.held;
  }

  get byteLength(): number {
    return this.dense.byteLength;
  }

  private grow(length: number): void {
    const dense = new Int32Array(length).fill(NONE);
    dense.set(this.dense);
    this.dense = dense;
    for (const [id, slot] of this.sparse) {
      if (id < length) {
        dense[id] = slot;
        this.sparse.delete(id);
      }
    }
  }
}
