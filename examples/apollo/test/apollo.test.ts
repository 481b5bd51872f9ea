import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { gql } from '@apollo/client';
import { createClient } from '../src/client.ts';
import { createConsumer } from '../src/consumers.ts';
import { CREATE_PROVIDER, DELETE_PROVIDER, NODE, PROVIDERS_PAGE, RENAME_PROVIDER } from '../src/operations.ts';

// Runs against a live Rapport server: RAPPORT_URL (default http://localhost:4000/graphql) and
// RAPPORT_API_KEY, an admin key (the one the server prints at its first start).
const url = process.env.RAPPORT_URL ?? 'http://localhost:4000/graphql';
const apiKey = process.env.RAPPORT_API_KEY;
if (!apiKey) throw new Error('Set RAPPORT_API_KEY to an admin key of the server at RAPPORT_URL');
const schema = readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8');

const client = createClient({ url, apiKey, schema });
const category = `apollo-${randomUUID().slice(0, 8)}`;
const filter = { category };
const names = ['Delta Dance', 'Echo Eats', 'Fjord Films'];
const ids: string[] = [];

before(async () => {
  for (const name of names) {
    const { data } = await client.mutate({ mutation: CREATE_PROVIDER, variables: { input: { name, contactEmail: 'team@example.com', category } } });
    const result = data!.createProvider;
    assert.equal(result.__typename, 'CreateProviderSuccess');
    ids.push((result as { provider: { id: string } }).provider.id);
  }
});

const pageNames = () => client.readQuery({ query: PROVIDERS_PAGE, variables: { first: 2, filter } })?.providers.edges.map((edge) => edge.node.name);

test('relayStylePagination merges the pages of a connection into one list', async () => {
  const first = await client.query({ query: PROVIDERS_PAGE, variables: { first: 2, filter } });
  assert.deepEqual(first.data?.providers.edges.map((edge) => edge.node.name), names.slice(0, 2));
  assert.equal(first.data?.providers.pageInfo.hasNextPage, true);

  // As fetchMore does: from the network, since the cache would answer any page with the merged list.
  const after = first.data!.providers.pageInfo.endCursor;
  await client.query({ query: PROVIDERS_PAGE, variables: { first: 2, after, filter }, fetchPolicy: 'network-only' });
  assert.deepEqual(pageNames(), names);
});

test('the cache keys objects by global ID: node(id:) is answered from it, and a mutation updates every view', async () => {
  assert.equal(client.cache.identify({ __typename: 'Provider', id: ids[0] }), ids[0]);
  const cached = await client.query({ query: NODE, variables: { id: ids[1] }, fetchPolicy: 'cache-only' });
  assert.deepEqual(cached.data?.node, { __typename: 'Provider', id: ids[1], name: names[1] });

  await client.mutate({ mutation: RENAME_PROVIDER, variables: { id: ids[0], name: 'Delta Ballet' } });
  const fragment = gql`
    fragment RenamedProvider on Provider {
      name
    }
  `;
  assert.deepEqual(client.cache.readFragment({ id: ids[0], fragment }), { __typename: 'Provider', name: 'Delta Ballet' });
  assert.deepEqual(pageNames(), ['Delta Ballet', ...names.slice(1)]);
});

test('error unions are told apart by __typename, with the fields of each error type', async () => {
  const email = `${category}@example.com`;
  assert.deepEqual(await createConsumer(client, { name: 'Gil', email: 'not an email' }), { ok: false, reason: 'invalid', fields: ['email'] });
  const created = await createConsumer(client, { name: 'Gil', email });
  assert.equal(created.ok, true);
  const again = await createConsumer(client, { name: 'Gil again', email });
  assert.equal(again.ok === false && again.reason, 'taken');
  assert.match(again.ok === false && again.reason === 'taken' ? `${again.field}: ${again.message}` : '', /^email: /);
});

test('after a delete, evicting the ID drops it from every list, and node(id:) answers null', async () => {
  const { data } = await client.mutate({ mutation: DELETE_PROVIDER, variables: { id: ids[2] } });
  const deleted = data!.deleteProvider;
  assert.equal(deleted.__typename, 'Deletion');
  client.cache.evict({ id: (deleted as { deletedId: string }).deletedId });
  client.cache.gc();
  assert.deepEqual(pageNames(), ['Delta Ballet', names[1]]);

  const refetched = await client.query({ query: NODE, variables: { id: ids[2] }, fetchPolicy: 'network-only' });
  assert.equal(refetched.data?.node, null);
});
