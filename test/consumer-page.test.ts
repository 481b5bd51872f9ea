import { config } from '../src/config';
import { type Db, createDb, db, useDb } from '../src/db/client';
import { consumerPage, consumerPageSize } from '../src/db/consumer-page';
import { relationOrderBy } from '../src/domain/relations';
import { parseId } from '../src/schema/ids';
import { createConsumer, createProvider, recordRelation } from './support/factories';
import { keyFor, run } from './support/graphql';

// The consumer page is read through the driver, not Prisma: it must answer exactly what Prisma
// answers, and the API must answer the same through either path.

const calls: string[] = [];
useDb(
  createDb(config().databaseUrl).$extends({
    query: { async $allOperations({ model, operation, args, query }) { calls.push(`${model}.${operation}`); return query(args); } },
  }) as unknown as Db,
);

const PAGE = `query ($id: ID!, $first: Int) {
  consumer(id: $id) {
    name email phone marketingConsent createdAt
    relations(first: $first) { edges { node { id kind occurredAt amountMinor currency rating comment createdAt provider { name category website } } } }
  }
}`;

let consumerId: string;
let providerIds: string[];

beforeAll(async () => {
  consumerId = (await createConsumer({ phone: '+44 20 7946 0958', marketingConsent: true })).id;
  providerIds = [(await createProvider({ name: 'Alpha' })).id, (await createProvider({ name: 'Beta' })).id];
  // Ties on occurredAt too: the order falls back to id, newest first.
  const times = ['2025-03-01T10:00:00.000Z', '2025-03-01T10:00:00.000Z', '2024-12-31T23:59:59.999Z', '2025-06-15T08:30:00.123Z'];
  for (const [index, occurredAt] of times.entries()) {
    const providerId = providerIds[index % 2];
    await recordRelation(
      index % 2 === 0
        ? { consumerId, providerId, kind: 'PURCHASE', occurredAt, amountMinor: 100 * (index + 1), currency: 'EUR' }
        : { consumerId, providerId, kind: 'REVIEW', occurredAt, rating: 5, comment: `comment ${index}` },
    );
  }
  const other = await createConsumer();
  await recordRelation({ consumerId: other.id, providerId: providerIds[0], kind: 'FAVORITE' });
});

it('reads through the driver exactly the rows Prisma reads', async () => {
  const id = parseId(consumerId, 'Consumer', 'id');
  for (const take of [1, 3, 21]) {
    const throughPrisma = await db().consumer.findUnique({
      where: { id },
      include: { relations: { orderBy: relationOrderBy({ field: 'occurredAt', direction: 'desc' }), take, include: { provider: true } } },
    });
    // Without the inspection hook the PII extension adds to Prisma's result.
    expect(await consumerPage(id, take)).toEqual(Object.fromEntries(Object.entries(throughPrisma!)));
  }
  expect(await consumerPage(999_999, 5)).toBeNull();
});

it('answers the API the same through the driver as through Prisma', async () => {
  calls.length = 0;
  const fast = await run(PAGE, { id: consumerId, first: 3 });
  expect(calls).toEqual([]);
  // Asking for totalCount changes the query: Prisma answers it.
  const slow = await run(PAGE.replace('relations(first: $first) {', 'relations(first: $first) { totalCount'), { id: consumerId, first: 3 });
  expect(calls).toEqual(['Consumer.findFirst']);
  const { totalCount, ...relations } = slow.consumer.relations;
  expect(totalCount).toBe(4);
  expect({ ...slow.consumer, relations }).toEqual(fast.consumer);
  expect(fast.consumer.relations.edges.map((edge: any) => edge.node.occurredAt)).toEqual([
    '2025-06-15T08:30:00.123Z', '2025-03-01T10:00:00.000Z', '2025-03-01T10:00:00.000Z',
  ]);
});

it('takes the driver path for a consumer reading its own page, and Prisma for a provider', async () => {
  const own = await keyFor('CONSUMER', consumerId);
  await run('{ __typename }', undefined, { key: own }); // its key is looked up once, then cached
  calls.length = 0;
  const page = await run(PAGE, { id: consumerId }, { key: own });
  expect(calls).toEqual([]);
  expect(page.consumer.relations.edges).toHaveLength(4);

  const provider = await keyFor('PROVIDER', providerIds[0]);
  calls.length = 0;
  const seen = await run(PAGE.replace('phone ', ''), { id: consumerId }, { key: provider });
  expect(calls).toContain('Consumer.findFirst');
  expect(seen.consumer.relations.edges.map((edge: any) => edge.node.provider.name)).toEqual(['Alpha', 'Alpha']);
});

it('recognises only the consumer page', () => {
  const page = { include: { relations: { where: { AND: [{}, {}] }, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }], take: 21, skip: 0, include: { provider: true } } } };
  expect(consumerPageSize(7, page)).toBe(21);
  expect(consumerPageSize(7, { ...page, include: { relations: { ...page.include.relations, where: { AND: [{}, { consumerId: 7 }] } } } })).toBe(21);
  expect(consumerPageSize(7, { ...page, include: { relations: { ...page.include.relations, where: { AND: [{}, { consumerId: 8 }] } } } })).toBeUndefined();
  expect(consumerPageSize(7, { ...page, include: { relations: { ...page.include.relations, skip: 1 } } })).toBeUndefined();
  expect(consumerPageSize(7, { include: { relations: { ...page.include.relations, include: { provider: true, consumer: true } } } })).toBeUndefined();
  expect(consumerPageSize(7, {})).toBeUndefined();
});
