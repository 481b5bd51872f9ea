import { config } from '../../src/config';
import { db } from '../../src/db/client';
import { type GraphSnapshotVisitor, RELATION_KINDS, readGraphSnapshot } from '../../src/db/graph-source';
import { createConsumer } from '../../src/domain/consumers';
import { createProvider } from '../../src/domain/providers';
import { recordRelation } from '../../src/domain/relations';
import { onPostgres } from '../support/test-database';

// A build from SQLite learns how many consumer–provider pairs are coming before the first
// relation, exactly when it reads every relation: the store is sized once, not grown as rows come
// and then shrunk by copying every column again.

/** What a build is told, in order: reservations and the pairs of the relations it receives. */
function recordingVisitor() {
  const reserved: number[] = [];
  const pairs = new Set<string>();
  let relations = 0;
  const received = (consumerId: number, providerId: number) => {
    relations++;
    pairs.add(`${consumerId}-${providerId}`);
  };
  const visitor: GraphSnapshotVisitor = {
    party: () => {},
    reserve: (count) => void reserved.push(count),
    relation: ({ consumerId, providerId }) => received(consumerId, providerId),
    relations: (batch) => {
      for (let row = 0; row < batch.size; row++) received(batch.consumerIds[row], batch.providerIds[row]);
    },
  };
  return { visitor, reserved, pairs, relationCount: () => relations };
}

(onPostgres ? it.skip : it)('reserves room for exactly the pairs a whole read holds, and for at most the relations of a range', async () => {
  const consumers = await Promise.all([1, 2, 3].map((n) => createConsumer({ name: `c${n}`, email: `c${n}@example.com` })));
  const providers = await Promise.all([1, 2].map((n) => createProvider({ name: `p${n}`, contactEmail: `p${n}@example.com`, category: 'x' })));
  const day = (n: number) => new Date(Date.UTC(2026, 0, n));
  // Seven relations over four pairs: repeats of a pair, of a kind, and on other days.
  const relations: [number, number, number][] = [[0, 0, 1], [0, 0, 2], [0, 1, 3], [1, 0, 3], [1, 0, 4], [2, 1, 5], [2, 1, 5]];
  for (const [consumer, provider, on] of relations) {
    await recordRelation({ consumerId: consumers[consumer].id, providerId: providers[provider].id, kind: 'FAVORITE', occurredAt: day(on) });
  }

  const whole = recordingVisitor();
  await readGraphSnapshot(config().databaseUrl, whole.visitor);
  expect(whole.relationCount()).toBe(7);
  expect(whole.pairs.size).toBe(4);
  expect(whole.reserved).toEqual([4]);

  // A range is bounded by its relations: counting its pairs would cost a sort.
  const range = recordingVisitor();
  await readGraphSnapshot(config().databaseUrl, range.visitor, { from: day(3).getTime(), to: day(5).getTime() });
  expect(range.relationCount()).toBe(3);
  expect(range.pairs.size).toBe(2);
  expect(range.reserved).toEqual([3]);
});

/** Every relation a read hands over, one line each, sorted: the batches' columns turned back into values. */
function collectingVisitor() {
  const lines: string[] = [];
  const line = (consumerId: number, providerId: number, kind: string, at: number, amount: number | null, currency: string | null, rating: number | null) =>
    lines.push([consumerId, providerId, kind, new Date(at).toISOString(), amount, currency, rating].join('|'));
  const visitor: GraphSnapshotVisitor = {
    party: () => {},
    reserve: () => {},
    relation: (r) => void line(r.consumerId, r.providerId, r.kind, r.occurredAt, r.amountMinor, r.currency, r.rating),
    relations: (batch) => {
      for (let row = 0; row < batch.size; row++) {
        const [amount, rating, currency] = [batch.amounts[row], batch.ratings[row], batch.currencies[row]];
        line(batch.consumerIds[row], batch.providerIds[row], RELATION_KINDS[batch.kinds[row]], batch.occurredAt[row], Number.isNaN(amount) ? null : amount, currency === 0 ? null : batch.currencyNames[currency - 1], Number.isNaN(rating) ? null : rating);
      }
    },
  };
  return { visitor, lines: () => lines.sort() };
}

(onPostgres ? it.skip : it)('hands over every relation exactly once, across many batches and gaps in their IDs, whole and in a range', async () => {
  const consumers = await Promise.all([1, 2, 3].map((n) => createConsumer({ name: `batched c${n}`, email: `batched-c${n}@example.com` })));
  const providers = await Promise.all([1, 2].map((n) => createProvider({ name: `batched p${n}`, contactEmail: `batched-p${n}@example.com`, category: 'x' })));
  // More relations than the reader's batches hold (16,384), with every kind of value and of null;
  // every seventh deleted, so no batch ends where IDs are dense.
  await db().$executeRawUnsafe(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 39999)
    INSERT INTO "Relation" ("consumerId", "providerId", "kind", "occurredAt", "amountMinor", "currency", "rating")
    SELECT ${consumers[0].id} + i % 3, ${providers[0].id} + i % 2,
           CASE i % 4 WHEN 0 THEN 'PURCHASE' WHEN 1 THEN 'REVIEW' WHEN 2 THEN 'SUBSCRIPTION' ELSE 'FAVORITE' END,
           strftime('%Y-%m-%dT%H:%M:%f+00:00', 1700000000 + i * 1.001, 'unixepoch'),
           CASE WHEN i % 3 = 0 THEN NULL ELSE i * 7 END, CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN 'USD' ELSE 'EUR' END,
           CASE WHEN i % 6 = 0 THEN NULL ELSE 1 + i % 5 END
      FROM n`);
  await db().$executeRawUnsafe('DELETE FROM "Relation" WHERE "id" % 7 = 0');
  const stored = async (where?: object) =>
    (await db().relation.findMany({ where })).map((r) => [r.consumerId, r.providerId, r.kind, r.occurredAt.toISOString(), r.amountMinor, r.currency, r.rating].join('|')).sort();

  const whole = collectingVisitor();
  await readGraphSnapshot(config().databaseUrl, whole.visitor);
  const all = await stored();
  expect(all.length).toBeGreaterThan(2 * 16_384);
  expect(whole.lines()).toEqual(all);

  const [from, to] = [Date.UTC(2023, 10, 14, 23), Date.UTC(2023, 10, 15, 6)];
  const range = collectingVisitor();
  await readGraphSnapshot(config().databaseUrl, range.visitor, { from, to });
  const inRange = await stored({ occurredAt: { gte: new Date(from), lt: new Date(to) } });
  expect(inRange.length).toBeGreaterThan(16_384);
  expect(inRange.length).toBeLessThan(all.length);
  expect(range.lines()).toEqual(inRange);
});
