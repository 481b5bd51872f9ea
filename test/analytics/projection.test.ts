import seedrandom from 'seedrandom';
import { GraphProjection } from '../../src/analytics/serving/projection';
import { config } from '../../src/config';
import { db } from '../../src/db/client';
import { driver } from '../../src/db/driver';
import { createConsumer, deleteConsumer } from '../../src/domain/consumers';
import { createProvider, deleteProvider } from '../../src/domain/providers';
import { deleteRelation, recordRelation } from '../../src/domain/relations';
import { canonical, canonicalOfRows, canonicalSnapshot } from '../support/canonical-graph';
import { onPostgres } from '../support/test-database';
import { relationRecord } from '../../src/domain/changes';
import { kindMask, restrictSnapshot } from '../../src/analytics/graph/snapshot';

// The projection kept current by the change log must equal one built afresh from the database,
// aggregates included, after any mix of writes.

/** The aggregates computed by brute force from the rows themselves. */
async function oracleOfDatabase() {
  const [consumerRows, providerRows, relationRows] = await Promise.all([
    db().consumer.findMany({ select: { id: true } }),
    db().provider.findMany({ select: { id: true } }),
    db().relation.findMany(),
  ]);
  return canonicalOfRows(consumerRows.map(({ id }) => id), providerRows.map(({ id }) => id), relationRows.map(relationRecord));
}

it('follows random writes exactly as a fresh build from the database sees them', async () => {
  const live = new GraphProjection(config().databaseUrl, db(), driver());
  await live.refresh();
  const random = seedrandom('projection');
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const consumers: number[] = [];
  const providers: number[] = [];
  const relations: number[] = [];
  const day = 24 * 60 * 60 * 1000;

  for (let step = 0; step < 400; step++) {
    if (step % 60 === 59) {
      await live.refresh();
      live.snapshot(); // compacts the store mid-way: later writes land on renumbered slots
    }
    const roll = random();
    if (consumers.length < 3 || roll < 0.08) {
      consumers.push((await createConsumer({ name: `c${step}`, email: `c${step}@example.com` })).id);
    } else if (providers.length < 3 || roll < 0.12) {
      providers.push((await createProvider({ name: `p${step}`, contactEmail: `p${step}@example.com`, category: 'x' })).id);
    } else if (roll < 0.75 || relations.length === 0) {
      const kind = pick(['PURCHASE', 'REVIEW', 'SUBSCRIPTION', 'FAVORITE'] as const);
      const extra =
        kind === 'REVIEW' ? { rating: 1 + Math.floor(random() * 5) } : kind === 'FAVORITE' ? {} : { amountMinor: Math.floor(random() * 5000), currency: pick(['EUR', 'USD']) };
      const occurredAt = new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 8) * day);
      const relation = await recordRelation({ consumerId: pick(consumers), providerId: pick(providers), kind, occurredAt, ...extra });
      relations.push(relation.id);
    } else if (roll < 0.95) {
      const [id] = relations.splice(Math.floor(random() * relations.length), 1);
      await deleteRelation(id);
    } else {
      const deleteParty = roll < 0.975 ? deleteConsumer : deleteProvider;
      const parties = deleteParty === deleteConsumer ? consumers : providers;
      if (parties.length <= 3) continue;
      const [id] = parties.splice(Math.floor(random() * parties.length), 1);
      await deleteParty(id, { cascade: true });
      relations.length = 0; // some went with the party: list the remaining ones again
      relations.push(...(await db().relation.findMany({ select: { id: true } })).map((relation) => relation.id));
    }
  }

  await live.refresh();
  const rebuilt = new GraphProjection(config().databaseUrl, db(), driver());
  await rebuilt.refresh();
  expect(live.view().store.size).toBeGreaterThan(20);
  expect(canonical(live.view().store)).toEqual(canonical(rebuilt.view().store));
  // And both equal the aggregates computed by brute force from the rows themselves.
  expect(canonical(live.view().store)).toEqual(await oracleOfDatabase());
  // The typed-array snapshots, followed through every write and removal, agree too, whole and by kinds.
  for (const kinds of [null, ['PURCHASE'], ['REVIEW', 'FAVORITE']] as const) {
    const mask = kindMask(kinds && [...kinds]);
    expect(canonicalSnapshot(restrictSnapshot(live.snapshot(), mask).snapshot)).toEqual(
      canonicalSnapshot(restrictSnapshot(rebuilt.snapshot(), mask).snapshot),
    );
  }
});

it('reads every stored field exactly: times to the millisecond, each currency, ratings', async () => {
  const consumer = await createConsumer({ name: 'exact', email: 'exact@example.com' });
  const providers = [
    await createProvider({ name: 'exact 1', contactEmail: 'exact1@example.com', category: 'x' }),
    await createProvider({ name: 'exact 2', contactEmail: 'exact2@example.com', category: 'x' }),
  ];
  const times = ['1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00.001Z', '2024-02-29T12:34:56.789Z', '2026-03-01T00:00:00.000Z', '1950-06-15T08:00:00.500Z'];
  const currencies = ['EUR', 'USD', 'GBP', 'JPY', 'CHF'];
  for (const [index, time] of times.entries()) {
    const providerId = providers[index % 2].id;
    const occurredAt = new Date(time);
    await recordRelation({ consumerId: consumer.id, providerId, kind: 'PURCHASE', occurredAt, amountMinor: 100 + index, currency: currencies[index] });
    await recordRelation({ consumerId: consumer.id, providerId, kind: 'REVIEW', occurredAt, rating: 1 + index });
  }
  const projection = new GraphProjection(config().databaseUrl, db(), driver());
  await projection.refresh();
  expect(canonical(projection.view().store)).toEqual(await oracleOfDatabase());
  const bounds = projection.view().store.kindBounds(consumer.id, providers[0].id, 'PURCHASE');
  expect(bounds).toEqual({ count: 3, firstAt: Date.parse('1950-06-15T08:00:00.500Z'), lastAt: Date.parse('2024-02-29T12:34:56.789Z') });
});

// PostgreSQL's enum type refuses such a kind on write: only SQLite's text column can hold one.
(onPostgres ? it.skip : it)('refuses a relation of a kind it does not know, and reads the database again once it is gone', async () => {
  const projection = new GraphProjection(config().databaseUrl, db(), driver());
  const consumer = await createConsumer({ name: 'odd', email: 'odd@example.com' });
  const provider = await createProvider({ name: 'odd', contactEmail: 'odd@example.com', category: 'x' });
  const relation = await recordRelation({ consumerId: consumer.id, providerId: provider.id, kind: 'FAVORITE' });
  await db().$executeRawUnsafe(`UPDATE "Relation" SET "kind" = 'WISHLIST' WHERE "id" = ${relation.id}`);
  await expect(projection.load()).rejects.toThrow(`A relation between consumer ${consumer.id} and provider ${provider.id} has a kind this version does not know`);
  await db().$executeRawUnsafe(`UPDATE "Relation" SET "kind" = 'FAVORITE' WHERE "id" = ${relation.id}`);
  await projection.load();
  expect(projection.view().store.kindBounds(consumer.id, provider.id, 'FAVORITE')?.count).toBe(1);
});

it('grows its version with every change', async () => {
  const projection = new GraphProjection(config().databaseUrl, db(), driver());
  await projection.refresh();
  const before = projection.version;
  const consumer = await createConsumer({ name: 'v', email: 'version@example.com' });
  const provider = await createProvider({ name: 'v', contactEmail: 'version@example.com', category: 'x' });
  await recordRelation({ consumerId: consumer.id, providerId: provider.id, kind: 'FAVORITE' });
  await projection.refresh();
  expect(projection.version).toBe(before + 3);
});
