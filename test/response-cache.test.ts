import { config } from '../src/config';
import { listApiKeys, revokeApiKey } from '../src/auth/keys';
import { type Db, createDb, db, useDb } from '../src/db/client';
import { driver } from '../src/db/driver';
import { recordAudit } from '../src/domain/audit';
import { updateProvider } from '../src/domain/providers';
import { parseId } from '../src/schema/ids';
import { createApp } from '../src/server/app';
import { createLogger } from '../src/server/logger';
import { createConsumer, createProvider, purchase } from './support/factories';
import { keyFor } from './support/graphql';

// Two app instances on one database, as two server processes behind a load balancer: each caches
// answers, and none may serve an answer older than a write made through the other, or through
// the domain directly.

const calls: string[] = [];
useDb(
  createDb(config().databaseUrl).$extends({
    query: { async $allOperations({ model, operation, args, query }) { calls.push(`${model}.${operation}`); return query(args); } },
  }) as unknown as Db,
);

const options = { logger: createLogger('silent'), production: false, rateLimit: { perMinute: 1_000_000 }, cacheResponses: true };
const [first, second] = [createApp(options), createApp(options)];

async function ask(app: typeof first, key: string, query: string, variables?: object) {
  const response = await app.fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

const DIRECTORY = `query ($id: ID!) { provider(id: $id) { name stats { relationCount } } providers(first: 5) { edges { node { name } } } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { updateProvider(id: $id, input: { name: $name }) { __typename } }`;

let admin: string;
let providerId: string;

beforeAll(async () => {
  admin = await keyFor('ADMIN');
  providerId = (await createProvider({ name: 'Bakery' })).id;
});

it('answers a repeated query from the cache, without the database', async () => {
  const fresh = await ask(first, admin, DIRECTORY, { id: providerId });
  calls.length = 0;
  const cached = await ask(first, admin, DIRECTORY, { id: providerId });
  expect(cached.body).toEqual(fresh.body);
  expect(calls).toEqual([]);
});

it('sends every hit as the text of the answer it stored, free of the cache\'s own fields', async () => {
  const fresh = await ask(first, admin, DIRECTORY, { id: providerId });
  const hits = [await ask(first, admin, DIRECTORY, { id: providerId }), await ask(first, admin, DIRECTORY, { id: providerId })];
  expect(hits.map((hit) => hit.text)).toEqual([fresh.text, fresh.text]);
  expect(fresh.text).toBe(JSON.stringify({ data: fresh.body.data }));
  expect(fresh.text).not.toContain('__responseCache');
});

it('reads the change log\'s last id once for a hit: the read that checked the key keys the answer', async () => {
  await ask(first, admin, DIRECTORY, { id: providerId });
  const rows = jest.spyOn(driver(), 'rows');
  try {
    await ask(first, admin, DIRECTORY, { id: providerId });
    expect(rows.mock.calls.map(([statement]) => statement.name)).toEqual(['rapport_last_change']);
  } finally {
    rows.mockRestore();
  }
});

it('never serves an answer older than a write made through another instance', async () => {
  await ask(first, admin, DIRECTORY, { id: providerId });
  await ask(second, admin, DIRECTORY, { id: providerId });
  expect((await ask(second, admin, RENAME, { id: providerId, name: 'Bakehouse' })).body.data.updateProvider.__typename).toBe('UpdateProviderSuccess');
  expect((await ask(first, admin, DIRECTORY, { id: providerId })).body.data.provider.name).toBe('Bakehouse');
});

it('never serves an answer older than a write made outside the API (another process)', async () => {
  await ask(first, admin, DIRECTORY, { id: providerId });
  await updateProvider(parseId(providerId, 'Provider', 'id'), { name: 'Boulangerie' });
  expect((await ask(first, admin, DIRECTORY, { id: providerId })).body.data.provider.name).toBe('Boulangerie');

  const before = (await ask(first, admin, DIRECTORY, { id: providerId })).body.data.provider.stats.relationCount;
  await purchase((await createConsumer()).id, providerId);
  expect((await ask(first, admin, DIRECTORY, { id: providerId })).body.data.provider.stats.relationCount).toBe(before + 1);
});

it('keeps answers per API key, and serves none to a key revoked since', async () => {
  const customer = await createConsumer();
  const own = await keyFor('CONSUMER', customer.id);
  const PAGE = `query ($id: ID!) { consumer(id: $id) { name email } }`;
  const mine = await ask(first, own, PAGE, { id: customer.id });
  expect(mine.body.data.consumer.email).toMatch(/@/);
  // Another consumer's key asks the same document: not the cached answer.
  const stranger = await keyFor('CONSUMER', (await createConsumer()).id);
  expect((await ask(first, stranger, PAGE, { id: customer.id })).body.data?.consumer ?? null).toBeNull();

  const keyId = (await listApiKeys()).find((key) => own.startsWith(key.prefix))!.id;
  await revokeApiKey(keyId);
  expect((await ask(first, own, PAGE, { id: customer.id })).status).toBe(401);
});

it('does not cache analytics, the audit log or anything else outside the stored directory', async () => {
  // Each is changed between two asks in a way the change log does not record: only an answer
  // read anew shows the change.
  const AUDIT = `{ auditLog(first: 1) { edges { node { operation } } } }`;
  await ask(first, admin, AUDIT);
  await recordAudit({ caller: { role: 'ADMIN', keyId: 0 }, operation: 'cacheProbe', targetIds: [], outcome: 'OK' });
  expect((await ask(first, admin, AUDIT)).body.data.auditLog.edges[0].node.operation).toBe('cacheProbe');

  const CENTRALITY = `query ($id: ID!) { provider(id: $id) { name centrality(metric: DEGREE) } }`;
  expect((await ask(first, admin, CENTRALITY, { id: providerId })).body.errors).toBeUndefined();
  await db().$executeRaw`UPDATE "Provider" SET "name" = 'Renamed unlogged' WHERE "id" = ${parseId(providerId, 'Provider', 'id')}`;
  expect((await ask(first, admin, CENTRALITY, { id: providerId })).body.data.provider.name).toBe('Renamed unlogged');
});
