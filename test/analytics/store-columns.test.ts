import seedrandom from 'seedrandom';
import { PairIndex } from '../../src/analytics/serving/pair-index';
import { SlotIndex } from '../../src/analytics/serving/slot-index';
import { RelationStore } from '../../src/analytics/serving/store';
import { TimeColumn } from '../../src/analytics/serving/time-column';

// The compact pieces the relation store is made of, each against a plain JavaScript equivalent.

const random = seedrandom('store-columns');

it('keeps times exact to the millisecond, inside and far outside the compact range, through resizing and gathering', () => {
  const times = [0, Date.UTC(2000, 0, 1), Date.UTC(1931, 5, 1, 12, 0, 0, 1), Date.UTC(2200, 0, 1, 0, 0, 0, 999), -1, 1.5e12 + 7, Date.UTC(1800, 1, 1)];
  for (let i = 0; i < 500; i++) times.push(Math.floor((random() - 0.3) * 8e12));
  const column = new TimeColumn(times.length);
  times.forEach((time, slot) => column.set(slot, time));
  times.forEach((time, slot) => expect(column.get(slot)).toBe(time));
  // An outlier slot overwritten with a time in range leaves the outliers.
  column.set(3, 5);
  expect(column.get(3)).toBe(5);
  const grown = column.resized(times.length * 2);
  times.forEach((time, slot) => slot !== 3 && expect(grown.get(slot)).toBe(time));
  const order = Int32Array.from(times.keys()).reverse();
  const gathered = column.gathered(order, times.length);
  order.forEach((slot, at) => expect(gathered.get(at)).toBe(slot === 3 ? 5 : times[slot]));
  expect(column.byteLength).toBe(times.length * 6);
});

it('finds node slots by ID, dense or far apart, before and after deletions and trimming', () => {
  const index = new SlotIndex();
  const expected = new Map<number, number>();
  const ids = [1, 2, 3, 10_000_000, 2 ** 31 - 1, 70_000, ...Array.from({ length: 2000 }, () => Math.floor(random() * 200_000))];
  ids.forEach((id, slot) => {
    index.set(id, slot);
    expected.set(id, slot);
  });
  for (const id of ids.slice(0, 20)) {
    index.delete(id);
    expected.delete(id);
  }
  index.trim();
  for (const id of [...ids, 0, 4, 9_999_999, 300_000]) expect(index.get(id)).toBe(expected.get(id) ?? -1);
  expect(index.byteLength).toBeLessThan(4 * 300_000);
});

it('finds pairs by their ends as a map would, across growth', () => {
  const index = new PairIndex();
  const expected = new Map<string, number>();
  let pairs = 0;
  while (pairs < 20_000) {
    const consumer = Math.floor(random() * 5000);
    const provider = Math.floor(random() * 300);
    if (expected.has(`${consumer}:${provider}`)) continue;
    index.add(pairs, consumer, provider);
    expected.set(`${consumer}:${provider}`, pairs++);
  }
  for (let probe = 0; probe < 20_000; probe++) {
    const consumer = Math.floor(random() * 5000);
    const provider = Math.floor(random() * 300);
    expect(index.find(consumer, provider)).toBe(expected.get(`${consumer}:${provider}`) ?? -1);
  }
});

it('counts the bytes of every column it holds, times in 6 bytes', () => {
  const store = new RelationStore();
  const empty = store.memoryBytes();
  store.relation({ consumerId: 1, providerId: 1, kind: 'PURCHASE', occurredAt: Date.UTC(2026, 0, 1), amountMinor: 100, currency: 'EUR', rating: null });
  // Per pair of capacity: first and last times of one kind (2 columns of 6 bytes), an amount (8)
  // and its currency code (1); and the ID indexes of both sides, reaching ID 1 (2 entries of 4 bytes each).
  expect(store.memoryBytes() - empty).toBe(1024 * (2 * 6 + 8 + 1) + 2 * 2 * 4);
});
