/** Pairs per page: the most a write copies when the last snapshot holds what it changes. */
const PAGE_SHIFT = 13;
export const PAGE_PAIRS = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_PAIRS - 1;

/**
 * Relations per pair and kind (`stride` kinds a pair), in pages of shared memory. A snapshot
 * holds the pages as they are (`hold`); a later write copies the one page it changes first, so
 * taking a snapshot costs O(pages) on the request thread rather than a copy of the whole column.
 */
export class PagedCounts {
  private pages: Int32Array[] = [];
  /** Per page: held by a snapshot, so copied before its next change. */
  private held: boolean[] = [];

  constructor(
    private readonly stride: number,
    pairs = 0,
  ) {
    this.resize(pairs);
  }

  get(pair: number, kind: number): number {
    return this.pages[pair >>> PAGE_SHIFT][(pair & PAGE_MASK) * this.stride + kind];
  }

  set(pair: number, kind: number, value: number): void {
    this.writablePage(pair >>> PAGE_SHIFT)[(pair & PAGE_MASK) * this.stride + kind] = value;
  }

  /** Room for `pairs` pairs, in whole pages: pages past it go, new ones are zero. */
  resize(pairs: number): void {
    const pageCount = Math.ceil(pairs / PAGE_PAIRS);
    this.pages.length = Math.min(this.pages.length, pageCount);
    this.held.length = this.pages.length;
    while (this.pages.length < pageCount) {
      this.pages.push(this.newPage());
      this.held.push(false);
    }
  }

  /** The pages as they are now, for a snapshot: they never change after this call. */
  hold(): Int32Array[] {
    this.held.fill(true);
    return this.pages.slice();
  }

  /** Rows `kept` of these counts, in that order, in new pages with room for `pairs` pairs. */
  gathered(kept: Int32Array, pairs: number): PagedCounts {
    const gathered = new PagedCounts(this.stride, pairs);
    for (let row = 0; row < kept.length; row++) {
      for (let kind = 0; kind < this.stride; kind++) gathered.set(row, kind, this.get(kept[row], kind));
    }
    return gathered;
  }

  /** The first `pairs` rows in one flat array (a copy). */
  flat(pairs: number): Int32Array {
    return flattenPages(this.pages, pairs, this.stride);
  }

  /** Counts holding the rows of `flat`, with room for `pairs` rows. */
  static fromFlat(stride: number, flat: Int32Array, pairs: number): PagedCounts {
    const counts = new PagedCounts(stride, pairs);
    const pageLength = PAGE_PAIRS * stride;
    for (let page = 0; page * pageLength < flat.length; page++) counts.pages[page].set(flat.subarray(page * pageLength, (page + 1) * pageLength));
    return counts;
  }

  get byteLength(): number {
    return this.pages.length * PAGE_PAIRS * this.stride * Int32Array.BYTES_PER_ELEMENT;
  }

  private writablePage(page: number): Int32Array {
    if (this.held[page]) {
      const copy = this.newPage();
      copy.set(this.pages[page]);
      this.pages[page] = copy;
      this.held[page] = false;
    }
    return this.pages[page];
  }

  private newPage(): Int32Array {
    return new Int32Array(new SharedArrayBuffer(PAGE_PAIRS * this.stride * Int32Array.BYTES_PER_ELEMENT));
  }
}

/** The first `pairs` pairs of held pages as one array, in the layout of a snapshot's kindCounts. */
export function flattenPages(pages: readonly Int32Array[], pairs: number, stride: number): Int32Array {
  const flat = new Int32Array(pairs * stride);
  const pageLength = PAGE_PAIRS * stride;
  for (let page = 0; page * pageLength < flat.length; page++) {
    const end = Math.min(pageLength, flat.length - page * pageLength);
    flat.set(pages[page].subarray(0, end), page * pageLength);
  }
  return flat;
}
