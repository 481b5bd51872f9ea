import { PAGE_PAIRS, PagedCounts, flattenPages } from '../../src/analytics/serving/paged-counts';

const KINDS = 4;

it('keeps held pages as they were: a write copies the page it changes, and only that one', () => {
  const counts = new PagedCounts(KINDS, 3 * PAGE_PAIRS);
  counts.set(5, 1, 7);
  counts.set(PAGE_PAIRS + 5, 2, 3);
  const held = counts.hold();
  counts.set(5, 1, 8);
  counts.set(2 * PAGE_PAIRS, 0, 1);
  const later = counts.hold();

  expect(held).toHaveLength(3);
  expect(held[0][5 * KINDS + 1]).toBe(7);
  expect(later[0][5 * KINDS + 1]).toBe(8);
  expect(later[0]).not.toBe(held[0]);
  expect(later[1]).toBe(held[1]); // unchanged since: shared by both snapshots
  expect(held[2][0]).toBe(0);
  expect(counts.get(2 * PAGE_PAIRS, 0)).toBe(1);
  for (const page of later) expect(page.buffer).toBeInstanceOf(SharedArrayBuffer);
});

it('flattens held pages into the snapshot layout, pair by pair', () => {
  const pairs = PAGE_PAIRS + 3;
  const counts = new PagedCounts(KINDS, pairs);
  const expected = new Int32Array(pairs * KINDS);
  for (let pair = 0; pair < pairs; pair += 97) {
    for (let kind = 0; kind < KINDS; kind++) {
      counts.set(pair, kind, pair + kind);
      expected[pair * KINDS + kind] = pair + kind;
    }
  }
  counts.set(pairs - 1, 3, 42);
  expected[(pairs - 1) * KINDS + 3] = 42;
  expect(flattenPages(counts.hold(), pairs, KINDS)).toEqual(expected);
});

it('gathers rows into new pages and resizes by whole pages', () => {
  const counts = new PagedCounts(KINDS, 2 * PAGE_PAIRS);
  counts.set(PAGE_PAIRS + 1, 2, 5);
  counts.set(3, 0, 9);
  const held = counts.hold();
  const gathered = counts.gathered(Int32Array.of(PAGE_PAIRS + 1, 3), 2);
  expect([gathered.get(0, 2), gathered.get(1, 0), gathered.get(1, 2)]).toEqual([5, 9, 0]);
  expect(gathered.byteLength).toBe(PAGE_PAIRS * KINDS * 4);
  expect(held[1][KINDS + 2]).toBe(5); // gathering reads, never writes, the held pages

  counts.resize(1);
  expect(counts.byteLength).toBe(PAGE_PAIRS * KINDS * 4);
  counts.resize(PAGE_PAIRS + 1);
  expect(counts.get(PAGE_PAIRS, 2)).toBe(0); // a page added again starts at zero
  expect(counts.get(3, 0)).toBe(9);
});
