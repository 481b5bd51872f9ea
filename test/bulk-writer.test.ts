import { openBulkWriter, restoreDeferredIndexes } from '../src/db/bulk-writer';
import { relationIndexes } from './support/relation-indexes';
import { db } from '../src/db/client';
import { onPostgres, runPrefix } from './support/test-database';

// The bulk writer goes around Prisma: what it writes must read back through Prisma exactly, and
// a load that fails must leave nothing, the schema (its indexes) included.

const databaseUrl = process.env.DATABASE_URL!;
const stamp = new Date('2026-11-30T12:00:00.123Z');
const relationOf = (consumerId: number, providerId: number) =>
  ({ consumerId, providerId, kind: 'FAVORITE' as const, occurredAt: stamp, amountMinor: null, currency: null, rating: null });

it('writes parties and relations that Prisma reads back as written, emails sealed, parties findable by external ID', async () => {
  const writer = await openBulkWriter(databaseUrl);
  try {
    await writer.transaction(stamp, async (tx) => {
      const [ada, ext] = await tx.insertConsumers([
        { name: 'Ada', email: 'Ada@Example.com', marketingConsent: true },
        { externalId: 'crm-1', name: 'Imported', email: null, marketingConsent: false },
      ]);
      const [shop, other] = await tx.insertProviders([
        { externalId: 'shop-1', name: 'Shop', contactEmail: 'shop@example.com', category: 'retail' },
        { name: 'Other', contactEmail: 'shop@example.com', category: 'retail' },
      ]);
      expect(other).toBeGreaterThan(shop);
      await tx.insertRelations([
        { consumerId: ada, providerId: shop, kind: 'PURCHASE', occurredAt: new Date('2025-01-02T03:04:05.678Z'), amountMinor: 1250, currency: 'EUR', rating: null },
        { consumerId: ada, providerId: shop, kind: 'REVIEW', occurredAt: new Date('2025-01-03T00:00:00.000Z'), amountMinor: null, currency: null, rating: 4 },
      ]);
      expect(await tx.consumerIds(['crm-1', 'nobody'])).toEqual(new Map([['crm-1', ext]]));
      expect(await tx.providerIds(['shop-1', 'shop@example.com'])).toEqual(new Map([['shop-1', shop]]));
    });
  } finally {
    await writer.close();
  }
  const consumer = await db().consumer.findFirstOrThrow({ where: { email: 'ada@example.com' }, include: { relations: { orderBy: { id: 'asc' } } } });
  expect(consumer).toMatchObject({ name: 'Ada', email: 'Ada@Example.com', marketingConsent: true, createdAt: stamp, updatedAt: stamp });
  expect(await db().consumer.findUnique({ where: { externalId: 'crm-1' } })).toMatchObject({ name: 'Imported', email: null, emailHash: null });
  expect(await db().provider.findUnique({ where: { externalId: 'shop-1' } })).toMatchObject({ name: 'Shop', category: 'retail' });
  expect(consumer.relations.map(({ kind, occurredAt, amountMinor, currency, rating, createdAt }) => ({ kind, occurredAt, amountMinor, currency, rating, createdAt }))).toEqual([
    { kind: 'PURCHASE', occurredAt: new Date('2025-01-02T03:04:05.678Z'), amountMinor: 1250, currency: 'EUR', rating: null, createdAt: stamp },
    { kind: 'REVIEW', occurredAt: new Date('2025-01-03T00:00:00.000Z'), amountMinor: null, currency: null, rating: 4, createdAt: stamp },
  ]);
  // How an interrupted import asks whether its batch committed.
  expect(await db().relation.count({ where: { createdAt: stamp } })).toBe(2);
  // The raw table holds ciphertext, as the PII extension writes it.
  const [stored] = await db().$queryRaw<{ email: string }[]>`SELECT "email" FROM "Consumer" WHERE "id" = ${consumer.id}`;
  expect(stored.email).toMatch(/^pii1\./);
});

it('keeps every index of Relation, and leaves nothing behind when a load fails', async () => {
  const indexes = await relationIndexes();
  const relationsBefore = await db().relation.count();
  const writer = await openBulkWriter(databaseUrl);
  try {
    await expect(
      writer.transaction(stamp, async (tx) => {
        const [consumer] = await tx.insertConsumers([{ name: 'Bo', email: 'bo@example.com', marketingConsent: false }]);
        const [provider] = await tx.insertProviders([{ name: 'Gym', contactEmail: 'gym@example.com', category: 'sport' }]);
        const relation = relationOf(consumer, provider);
        await tx.deferRelationIndexes();
        await tx.insertRelations([relation, relation]);
        throw new Error('the load fails halfway');
      }),
    ).rejects.toThrow('the load fails halfway');
    // A load that succeeds on the same writer afterwards.
    await writer.transaction(stamp, async (tx) => {
      await tx.insertConsumers([{ name: 'Cy', email: 'cy@example.com', marketingConsent: false }]);
    });
  } finally {
    await writer.close();
  }
  expect(await db().relation.count()).toBe(relationsBefore);
  expect(await db().consumer.count({ where: { name: { in: ['Bo', 'Cy'] } } })).toBe(1);
  expect(await relationIndexes()).toEqual(indexes);
  expect(indexes.length).toBeGreaterThan(3);
  expect(await db().deferredIndex.count()).toBe(0);
});

it('defers Relation’s indexes across transactions and rebuilds them as they were; many rows per statement read back in order', async () => {
  const indexes = await relationIndexes();
  const writer = await openBulkWriter(databaseUrl);
  const later = new Date(stamp.getTime() + 1000);
  try {
    await writer.transaction(later, async (tx) => {
      await tx.deferRelationIndexes();
      await tx.deferRelationIndexes(); // idempotent: the ledger keeps the definitions
    });
    expect(await relationIndexes()).toEqual([]);
    expect((await db().deferredIndex.findMany({ orderBy: { name: 'asc' } })).map((index) => index.name)).toEqual(indexes);

    // 250 rows: two statements of 100 rows, then 50 of one row each.
    await writer.transaction(later, async (tx) => {
      const [consumer] = await tx.insertConsumers([{ name: 'Many', email: 'many@example.com', marketingConsent: false }]);
      const [provider] = await tx.insertProviders([{ name: 'Bulk shop', contactEmail: 'bulk@example.com', category: 'retail' }]);
      await tx.insertRelations(
        Array.from({ length: 250 }, (_, n) => ({
          consumerId: consumer,
          providerId: provider,
          kind: 'PURCHASE' as const,
          occurredAt: new Date(Date.UTC(2025, 0, 1) + n * 60_000),
          amountMinor: n,
          currency: 'EUR',
          rating: null,
        })),
      );
    });
    await restoreDeferredIndexes(writer);
  } finally {
    await writer.close();
  }
  expect(await relationIndexes()).toEqual(indexes);
  expect(await db().deferredIndex.count()).toBe(0);
  const written = await db().relation.findMany({ where: { createdAt: later }, orderBy: { id: 'asc' } });
  expect(written.map((relation) => relation.amountMinor)).toEqual(Array.from({ length: 250 }, (_, n) => n));
  expect(written[249].occurredAt).toEqual(new Date(Date.UTC(2025, 0, 1) + 249 * 60_000));
});

it('refuses a batch naming a party that does not exist, and stores none of it', async () => {
  const consumer = await db().consumer.create({ data: { name: 'Di', email: 'di@example.com' } });
  const provider = await db().provider.create({ data: { name: 'Spa', contactEmail: 'spa@example.com', category: 'wellness' } });
  const relationsBefore = await db().relation.count();
  const writer = await openBulkWriter(databaseUrl);
  try {
    for (const [consumerId, providerId] of [[consumer.id + 1_000_000, provider.id], [consumer.id, provider.id + 1_000_000]]) {
      // The message, not toThrow: better-sqlite3's errors are of another realm than jest's Error.
      const outcome = await writer
        .transaction(stamp, (tx) => tx.insertRelations([relationOf(consumer.id, provider.id), relationOf(consumerId, providerId)]))
        .then(() => 'stored', (error: Error) => error.message);
      expect(outcome).toMatch(onPostgres ? /^1 of the (consumer|provider)s these relations name no longer exist/ : /^FOREIGN KEY constraint failed$/);
    }
  } finally {
    await writer.close();
  }
  expect(await db().relation.count()).toBe(relationsBefore);
});

// PostgreSQL's writer checks a batch's parties once instead of per row (bulk-writer.ts): it must
// hold them as the per-row checks would, so that a delete cannot orphan the batch's relations.
(onPostgres ? it : it.skip)('holds the parties of an open batch: their deletion waits for it, then is refused', async () => {
  const consumer = await db().consumer.create({ data: { name: 'Ed', email: 'ed@example.com' } });
  const provider = await db().provider.create({ data: { name: 'Pool', contactEmail: 'pool@example.com', category: 'sport' } });
  const writer = await openBulkWriter(databaseUrl);
  let deletion: Promise<unknown> | undefined;
  let settled = false;
  try {
    await writer.transaction(stamp, async (tx) => {
      await tx.insertRelations([relationOf(consumer.id, provider.id)]);
      deletion = db().consumer.delete({ where: { id: consumer.id } }).finally(() => (settled = true));
      deletion.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
    });
  } finally {
    await writer.close();
  }
  await expect(deletion).rejects.toThrow(/foreign key/i);
  expect(await db().relation.count({ where: { consumerId: consumer.id } })).toBe(1);
  expect(await db().consumer.findUnique({ where: { id: consumer.id } })).not.toBeNull();
});

// A role that may not set session_replication_role (any role but a superuser, unless granted it):
// its writer leaves each row to the foreign-key triggers, as any insert.
(onPostgres ? it : it.skip)('without the privilege to turn triggers off, leaves each row to its foreign-key triggers', async () => {
  const role = `${runPrefix()}importer`;
  const consumer = await db().consumer.create({ data: { name: 'Fay', email: 'fay@example.com' } });
  const provider = await db().provider.create({ data: { name: 'Deli', contactEmail: 'deli@example.com', category: 'food' } });
  await db().$executeRawUnsafe(`CREATE ROLE "${role}" LOGIN`);
  try {
    await db().$executeRawUnsafe(`GRANT USAGE ON SCHEMA public TO "${role}"`);
    await db().$executeRawUnsafe(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO "${role}"`);
    await db().$executeRawUnsafe(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "${role}"`);
    const url = new URL(databaseUrl);
    url.username = role;
    const writer = await openBulkWriter(url.toString());
    try {
      await expect(writer.transaction(stamp, (tx) => tx.insertRelations([relationOf(consumer.id + 1_000_000, provider.id)]))).rejects.toThrow(
        /violates foreign key constraint "Relation_consumerId_fkey"/,
      );
      await writer.transaction(stamp, (tx) => tx.insertRelations([relationOf(consumer.id, provider.id)]));
    } finally {
      await writer.close();
    }
    expect(await db().relation.count({ where: { consumerId: consumer.id } })).toBe(1);
  } finally {
    await db().$executeRawUnsafe(`DROP OWNED BY "${role}"`);
    await db().$executeRawUnsafe(`DROP ROLE "${role}"`);
  }
});
