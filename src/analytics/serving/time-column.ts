import { gather, resized } from './columns';

/** A time column's first slots as plain data: what a graph file keeps of it. */
export interface TimeColumnImage {
  seconds: Int32Array;
  millis: Uint16Array;
  /** [slot, time] of the times held outside the typed arrays. */
  outliers: [number, number][];
}

/** Times are held relative to 2000-01-01T00:00:00Z. */
const BASE = Date.UTC(2000, 0, 1);
/** The seconds value that says "in the outliers map". */
const OUTLIER = -(2 ** 31);
const MAX_SECONDS = 2 ** 31 - 1;

/**
 * Times in milliseconds since the epoch, exact, in 6 bytes each instead of a Float64's 8: whole
 * seconds since 2000 (Int32, 1932 to 2068) and the milliseconds beyond them (Uint16). The rare
 * time outside that range waits in a map. A relation store holds two of these per kind.
 */
export class TimeColumn {
  private readonly outliers: Map<number, number>;

  constructor(
    capacity: number,
    private readonly seconds: Int32Array = new Int32Array(capacity),
    private readonly millis: Uint16Array = new Uint16Array(capacity),
    outliers = new Map<number, number>(),
  ) {
    this.outliers = outliers;
  }

  get(slot: number): number {
    const seconds = this.seconds[slot];
    return seconds === OUTLIER ? this.outliers.get(slot)! : BASE + seconds * 1000 + this.millis[slot];
  }

  set(slot: number, time: number): void {
    const offset = Math.round(time - BASE);
    const seconds = Math.floor(offset / 1000);
    if (this.outliers.size > 0) this.outliers.delete(slot);
    if (seconds > OUTLIER && seconds <= MAX_SECONDS) {
      this.seconds[slot] = seconds;
      this.millis[slot] = offset - seconds * 1000;
    } else {
      this.seconds[slot] = OUTLIER;
      this.outliers.set(slot, time);
    }
  }

  get byteLength(): number {
    return this.seconds.byteLength + this.millis.byteLength;
  }

  /** A copy of the first `slots` slots. */
  image(slots: number): TimeColumnImage {
    const outliers = [...this.outliers].filter(([slot]) => slot < slots);
    return { seconds: this.seconds.slice(0, slots), millis: this.millis.slice(0, slots), outliers };
  }

  /** A column holding `image`, with room for `capacity` slots. */
  static fromImage(image: TimeColumnImage, capacity: number): TimeColumn {
    return new TimeColumn(capacity, resized(image.seconds, capacity), resized(image.millis, capacity), new Map(image.outliers));
  }

  /** A copy with room for `capacity` slots. */
  resized(capacity: number): TimeColumn {
    const outliers = new Map([...this.outliers].filter(([slot]) => slot < capacity));
    return new TimeColumn(capacity, resized(this.seconds, capacity), resized(this.millis, capacity), outliers);
  }

  /** Slots `slots`, in that order, in a new column of `capacity` slots. */
  gathered(slots: Int32Array, capacity: number): TimeColumn {
    const outliers = new Map<number, number>();
    if (this.outliers.size > 0) slots.forEach((slot, at) => this.outliers.has(slot) && outliers.set(at, this.outliers.get(slot)!));
    return new TimeColumn(capacity, gather(this.seconds, slots, 1, capacity), gather(this.millis, slots, 1, capacity), outliers);
  }
}
