import { GraphProjection } from '../src/analytics/serving/projection';
import { config } from '../src/config';
import { CHANGE_LOG_RETENTION_MS, pruneChangeLog } from '../src/db/change-log';
import { db } from '../src/db/client';
import { driver } from '../src/db/driver';
import { createConsumer } from '../src/domain/consumers';
import { createProvider } from '../src/domain/providers';
import { recordChange } from '../src/domain/changes';
import { recordRelation } from '../src/domain/relations';
import { canonical } from './support/canonical-graph';

async function party(name: string) {
  const consumer = await createConsumer({ name, email: `${name}@example.com` });
  const provider = await createProvider({ name, contactEmail: `${name}@example.com`, category: 'x' });
  return { consumerId: consumer.id, providerId: provider.id };
}

afterEach(() => jest.restoreAllMocks());

async function freshBuild() {
  const fresh = new GraphProjection(config().databaseUrl, db(), driver());
  await fresh.refresh();
  return canonical(fresh.view().store);
}

it('logs each write in its own transaction, and a refused write logs nothing', async () => {
  const before = await db().changeLogEntry.count();
  const { consumerId, providerId } = await party('logged');
  await recordRelation({ consumerId, providerId, kind: 'FAVORITE' });
  await expect(recordRelation({ consumerId, providerId: providerId + 1000, kind: 'FAVORITE' })).rejects.toThrow();
  await expect(createConsumer({ name: 'again', email: 'logged@example.com' })).rejects.toThrow();
  const types = (await db().changeLogEntry.findMany({ orderBy: { id: 'asc' }, skip: before })).map(
    (entry) => JSON.parse(entry.change).type,
  );
  expect(types).toEqual(['partyCreated', 'partyCreated', 'relationRecorded']);
});

it('prunes only the changes older than the retention', async () => {
  await party('recent');
  const count = await db().changeLogEntry.count();
  expect(await pruneChangeLog()).toBe(0);
  expect(await pruneChangeLog(Date.now() + CHANGE_LOG_RETENTION_MS + 60_000)).toBe(count);
  expect(await db().changeLogEntry.count()).toBe(0);
});

it('reads a fresh snapshot when it has not followed the log for long enough to have missed pruned changes', async () => {
  const projection = new GraphProjection(config().databaseUrl, db(), driver());
  await projection.refresh();
  const { consumerId, providerId } = await party('idle');
  await recordRelation({ consumerId, providerId, kind: 'FAVORITE' });
  const later = Date.now() + CHANGE_LOG_RETENTION_MS + 60_000;
  expect(await pruneChangeLog(later)).toBeGreaterThan(0);
  jest.spyOn(Date, 'now').mockReturnValue(later);
  await projection.refresh();
  expect(projection.view().store.pairOf(consumerId, providerId)).not.toBe(-1);
  expect(canonical(projection.view().store)).toEqual(await freshBuild());
});

it('ends equal to a fresh build after concurrent writes, read while they commit', async () => {
  const projection = new GraphProjection(config().databaseUrl, db(), driver());
  await projection.refresh();
  const pairs = await Promise.all(Array.from({ length: 8 }, (_, index) => party(`busy${index}`)));
  const writes = pairs.flatMap(({ consumerId }, index) =>
    pairs.map(({ providerId }) =>
      recordRelation({ consumerId, providerId, kind: 'PURCHASE', amountMinor: 100 + index, currency: 'EUR' }),
    ),
  );
  const reads = Array.from({ length: 20 }, () => projection.refresh());
  await Promise.all([...writes, ...reads]);
  await projection.refresh();
  for (const { consumerId } of pairs) {
    for (const { providerId } of pairs) expect(projection.view().store.pairOf(consumerId, providerId)).not.toBe(-1);
  }
  expect(canonical(projection.view().store)).toEqual(await freshBuild());
});

it('reads afresh at a bulk load written around the log, and applies the changes after it once', async () => {
  const projection = new GraphProjection(config().databaseUrl, db(), driver());
  await projection.refresh();
  const bulk = await party('bulk');
  await db().relation.create({ data: { ...bulk, kind: 'FAVORITE', occurredAt: new Date() } });
  await db().$transaction((tx) => recordChange(tx, { type: 'bulkLoaded' }));
  const after = await party('after');
  await recordRelation({ ...after, kind: 'REVIEW', rating: 4 });
  await projection.refresh();
  expect(projection.view().store.pairOf(bulk.consumerId, bulk.providerId)).not.toBe(-1);
  expect(canonical(projection.view().store)).toEqual(await freshBuild());
});
