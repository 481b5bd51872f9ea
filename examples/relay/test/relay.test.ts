import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';
import { createEnvironment } from '../src/environment.ts';
import { ProviderList, createProvider, deleteProvider, refetchProvider, renameProvider } from '../src/providers.ts';

// Runs against a live Rapport server: RAPPORT_URL (default http://localhost:4000/graphql) and
// RAPPORT_API_KEY, an admin key (the one the server prints at its first start).
const url = process.env.RAPPORT_URL ?? 'http://localhost:4000/graphql';
const apiKey = process.env.RAPPORT_API_KEY;
if (!apiKey) throw new Error('Set RAPPORT_API_KEY to an admin key of the server at RAPPORT_URL');

const environment = createEnvironment({ url, apiKey });
// A category of our own, so that the list holds only the providers this test creates.
const category = `relay-${randomUUID().slice(0, 8)}`;
const names = ['Atlas Maps', 'Beacon Radio', 'Cobalt Cloud'];
const ids: string[] = [];

before(async () => {
  for (const name of names) {
    ids.push((await createProvider(environment, { name, contactEmail: 'team@example.com', category })).id);
  }
});

test('an invalid input comes back as InvalidInputError, told apart by __typename', async () => {
  await assert.rejects(
    createProvider(environment, { name: 'Broken', contactEmail: 'team@example.com', category, website: 'not a url' }),
    /^Error: website: /,
  );
});

const list = new ProviderList(environment, { first: 2, filter: { category } });

test('pages through providers: @connection merges the second page into the first', async () => {
  const first = await list.load();
  assert.deepEqual(first?.edges?.map((edge) => edge?.node?.name), names.slice(0, 2));
  assert.equal(first?.pageInfo.hasNextPage, true);

  const merged = await list.loadNext();
  assert.deepEqual(merged?.edges?.map((edge) => edge?.node?.name), names);
  assert.equal(merged?.pageInfo.hasNextPage, false);
});

test('refetches a provider by its global ID through node(id:)', async () => {
  const provider = await refetchProvider(environment, ids[1]);
  assert.deepEqual(provider && { id: provider.id, name: provider.name, category: provider.category }, {
    id: ids[1],
    name: 'Beacon Radio',
    category,
  });
});

test("a mutation's result updates the store: the list shows the new name without a refetch", async () => {
  await renameProvider(environment, ids[0], 'Atlas Atlases');
  assert.deepEqual(list.read()?.edges?.map((edge) => edge?.node?.name), ['Atlas Atlases', 'Beacon Radio', 'Cobalt Cloud']);
});

test('after a delete the record leaves the store, and refetching its ID answers null', async () => {
  assert.equal(await deleteProvider(environment, ids[2]), ids[2]);
  assert.equal(environment.getStore().getSource().get(ids[2]), null);
  assert.equal(await refetchProvider(environment, ids[2]), null);
});
