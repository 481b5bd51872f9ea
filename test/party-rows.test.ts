import { encodeGlobalID } from '@pothos/plugin-relay';
import { config } from '../src/config';
import { type Db, createDb, db, useDb } from '../src/db/client';
import { encrypt, newKeyringEntry, parseKeyring } from '../src/db/pii';
import { partiesByIds } from '../src/db/rows';
import { parseId } from '../src/schema/ids';
import { createConsumer, createProvider, purchase } from './support/factories';
import { keyFor, run } from './support/graphql';

const calls: string[] = [];
useDb(
  createDb(config().databaseUrl).$extends({
    query: { async $allOperations({ model, operation, args, query }) { calls.push(`${model}.${operation}`); return query(args); } },
  }) as unknown as Db,
);

// Every analytics answer loads its parties through the driver, not Prisma: they must be the very
// rows Prisma reads, consumers' personal fields decrypted alike.

/** Rows as plain objects, by ID: without the inspection hook Prisma's extensions add to its results. */
const plain = <Row extends { id: number }>(rows: Row[]) => rows.map((row) => Object.fromEntries(Object.entries(row)) as Row).sort((a, b) => a.id - b.id);

it('reads the consumers and providers of a list of IDs exactly as Prisma does, leaving out IDs of none', async () => {
  const consumerIds = [
    await createConsumer({ phone: '+44 20 7946 0958', marketingConsent: true, externalId: 'crm-7' }),
    await createConsumer(),
  ].map(({ id }) => parseId(id, 'Consumer', 'id'));
  const providerIds = [
    await createProvider({ website: 'https://example.com', description: 'Büro für Ärger' }),
    await createProvider(),
  ].map(({ id }) => parseId(id, 'Provider', 'id'));
  await db().consumer.update({ where: { id: consumerIds[1] }, data: { email: null, erasedAt: new Date('2026-01-02T03:04:05.678Z') } });
  const asked = { consumers: [...consumerIds, 999_999], providers: [999_999, ...providerIds] };

  const { consumers, providers } = await partiesByIds(asked.consumers, asked.providers);
  expect(plain(consumers)).toEqual(plain(await db().consumer.findMany({ where: { id: { in: asked.consumers } } })));
  expect(plain(providers)).toEqual(plain(await db().provider.findMany({ where: { id: { in: asked.providers } } })));
  expect(plain(consumers).map(({ email, phone }) => [email, phone])).toEqual([[expect.stringMatching(/@example\.com$/), '+442079460958'], [null, null]]);
  expect(providers).toHaveLength(2);

  expect(await partiesByIds([], [])).toEqual({ consumers: [], providers: [] });
  expect(await partiesByIds([999_999], [])).toEqual({ consumers: [], providers: [] });
});

it('answers consumer(id) and provider(id) asking for the row alone through the driver, the same as through Prisma', async () => {
  const consumer = await createConsumer({ phone: '+33 1 23 45 67 89' });
  const provider = await createProvider({ website: 'https://provider.example' });
  await purchase(consumer.id, provider.id);
  const CONSUMER = `query ($id: ID!) { consumer(id: $id) { id name email phone marketingConsent erasedAt createdAt updatedAt RELATIONS } }`;
  const PROVIDER = `query ($id: ID!) { provider(id: $id) { id name category contactEmail website description createdAt RELATIONS } }`;
  const RELATIONS = 'relations(first: 5) { totalCount }';

  calls.length = 0;
  const fast = { consumer: await run(CONSUMER.replace('RELATIONS', ''), { id: consumer.id }), provider: await run(PROVIDER.replace('RELATIONS', ''), { id: provider.id }) };
  expect(calls).toEqual([]);
  // With relations, Prisma reads the row with them: the same fields.
  const slow = { consumer: await run(CONSUMER.replace('RELATIONS', RELATIONS), { id: consumer.id }), provider: await run(PROVIDER.replace('RELATIONS', RELATIONS), { id: provider.id }) };
  expect(calls).toEqual(['Consumer.findFirst', 'Provider.findUnique']);
  const { relations: consumerRelations, ...consumerFields } = slow.consumer.consumer;
  const { relations: providerRelations, ...providerFields } = slow.provider.provider;
  expect([consumerRelations.totalCount, providerRelations.totalCount]).toEqual([1, 1]);
  expect(fast).toEqual({ consumer: { consumer: consumerFields }, provider: { provider: providerFields } });
  expect(fast.consumer.consumer.phone).toBe('+33123456789');

  // A provider sees a customer's consumer row without its personal fields: Prisma, with the caller's scope.
  calls.length = 0;
  const seen = await run('query ($id: ID!) { consumer(id: $id) { name } }', { id: consumer.id }, { key: await keyFor('PROVIDER', provider.id) });
  expect(seen.consumer.name).toBe(consumer.name);
  expect(calls).toContain('Consumer.findFirst');
  const missing = { id: encodeGlobalID('Consumer', 999_999), other: encodeGlobalID('Provider', 999_999) };
  expect(await run('query ($id: ID!, $other: ID!) { consumer(id: $id) { name } provider(id: $other) { name } }', missing)).toEqual({ consumer: null, provider: null });
});

it('decrypts personal fields when they are read, as Prisma does: a row sealed with an unknown key still loads', async () => {
  const id = parseId((await createConsumer()).id, 'Consumer', 'id');
  const sealed = encrypt(parseKeyring(newKeyringEntry()), 'stranger@example.com');
  await db().$executeRaw`UPDATE "Consumer" SET "email" = ${sealed} WHERE "id" = ${id}`;
  const {
    consumers: [consumer],
  } = await partiesByIds([id], []);
  expect(consumer.name).toMatch(/^Consumer /);
  expect(() => consumer.email).toThrow(/not in the keyring/);
});
