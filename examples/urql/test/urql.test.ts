import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { createClient } from '../src/client.ts';
import { CREATE_CONSUMER, CREATE_PROVIDER, PROVIDERS, RECORD_PURCHASE, RELATION_RECORDED } from '../src/operations.ts';

// Runs against a live Rapport server: RAPPORT_URL (default http://localhost:4000/graphql) and
// RAPPORT_API_KEY, an admin key (the one the server prints at its first start).
const url = process.env.RAPPORT_URL ?? 'http://localhost:4000/graphql';
const apiKey = process.env.RAPPORT_API_KEY;
if (!apiKey) throw new Error('Set RAPPORT_API_KEY to an admin key of the server at RAPPORT_URL');
const schema = readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8');

let subscriptionConnected = () => {};
const client = createClient({ url, apiKey, schema, onSubscriptionConnected: () => subscriptionConnected() });
const category = `urql-${randomUUID().slice(0, 8)}`;
const names = ['Garnet Games', 'Harbor Health', 'Iris Insurance'];
const ids: string[] = [];

/** Runs a mutation and returns its result object, failing on anything but the success type. */
async function write<Data extends Record<string, { __typename: string }>>(result: PromiseLike<{ data?: Data; error?: Error }>) {
  const { data, error } = await result;
  const payload = data && Object.values(data)[0];
  assert.ok(payload?.__typename.endsWith('Success'), `mutation failed: ${error?.message ?? JSON.stringify(payload)}`);
  return payload as Data[keyof Data];
}

before(async () => {
  for (const name of names) {
    const created = await write(client.mutation(CREATE_PROVIDER, { input: { name, contactEmail: 'team@example.com', category } }));
    ids.push(created.provider!.id);
  }
});

test('graphcache relayPagination merges the next page into the list', async () => {
  const first = await client.query(PROVIDERS, { first: 2, filter: { category } });
  assert.equal(first.error, undefined);
  assert.deepEqual(first.data?.providers.edges.map((edge) => edge.node.name), names.slice(0, 2));

  const after = first.data!.providers.pageInfo.endCursor;
  const merged = await client.query(PROVIDERS, { first: 2, after, filter: { category } });
  assert.deepEqual(merged.data?.providers.edges.map((edge) => edge.node.name), names);
  assert.equal(merged.data?.providers.pageInfo.hasNextPage, false);
});

test('a subscription over Server-Sent Events receives the purchase recorded after it opened', async () => {
  const connected = new Promise<void>((resolve) => (subscriptionConnected = resolve));
  const received = new Promise<{ id: string; kind: string; amountMinor: number | null; consumer: { name: string } }>((resolve, reject) => {
    const subscription = client.subscription(RELATION_RECORDED, { providerId: ids[0] }).subscribe((result) => {
      subscription.unsubscribe();
      if (result.error) reject(result.error);
      else resolve(result.data!.relationRecorded);
    });
  });
  await connected;

  const consumer = await write(client.mutation(CREATE_CONSUMER, { input: { name: 'Juno', email: `${category}@example.com` } }));
  const purchase = await write(client.mutation(RECORD_PURCHASE, { consumerId: consumer.consumer!.id, providerId: ids[0], amountMinor: 4200 }));
  const event = await received;
  assert.deepEqual(
    { id: event.id, kind: event.kind, amountMinor: event.amountMinor, consumer: event.consumer.name },
    { id: purchase.relation!.id, kind: 'PURCHASE', amountMinor: 4200, consumer: 'Juno' },
  );
});

test('without a key, queries go as GET with the x-graphql-yoga-csrf header Rapport asks for', async () => {
  const anonymous = createClient({ url, schema });
  const sent: { method?: string; csrf: string | null }[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    sent.push({ method: init?.method, csrf: new Headers(init?.headers).get('x-graphql-yoga-csrf') });
    return realFetch(input, init);
  };
  try {
    const result = await anonymous.query(PROVIDERS, { first: 1, filter: { category } }, { preferGetMethod: 'force' });
    assert.equal(result.error, undefined);
    assert.equal(result.data?.providers.edges[0].node.name, names[0]);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.deepEqual(sent, [{ method: 'GET', csrf: 'urql' }]);

  // The same GET without the header is refused: a browser could send it cross-site without a preflight.
  const query = new URLSearchParams({ query: '{ providers(first: 1) { edges { node { name } } } }' });
  assert.equal((await fetch(`${url}?${query}`)).status, 403);
});
