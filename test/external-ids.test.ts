import { ERROR_FIELDS, createConsumer, createProvider, purchase } from './support/factories';
import { execute, keyFor, run } from './support/graphql';

/** External IDs through the API: upserts create then update, lookups find, uniqueness is typed, bad keys are refused. */

const UPSERT_CONSUMER = `mutation ($externalId: String!, $input: UpsertConsumerInput!) {
  upsertConsumer(externalId: $externalId, input: $input) {
    ${ERROR_FIELDS}
    ... on InvalidInputError { issues { field message } }
    ... on ConflictError { field }
    ... on UpsertConsumerSuccess { consumer { id externalId name email phone marketingConsent } }
  }
}`;

const UPSERT_PROVIDER = `mutation ($externalId: String!, $input: UpsertProviderInput!) {
  upsertProvider(externalId: $externalId, input: $input) {
    ${ERROR_FIELDS}
    ... on InvalidInputError { issues { field message } }
    ... on UpsertProviderSuccess { provider { id externalId name website description } }
  }
}`;

const consumerBy = (externalId: string, key?: string | null) =>
  execute('query ($externalId: String!) { consumerByExternalId(externalId: $externalId) { id name } }', { externalId }, { key });

it('upsertConsumer creates the consumer once, then updates it and keeps what the update leaves out', async () => {
  const first = await run(UPSERT_CONSUMER, {
    externalId: 'crm-4711',
    input: { name: 'Ada', email: 'ada@example.com', phone: '+44 20 7946 0958', marketingConsent: true },
  });
  const created = first.upsertConsumer.consumer;
  expect(created).toMatchObject({ externalId: 'crm-4711', name: 'Ada', email: 'ada@example.com', phone: '+442079460958', marketingConsent: true });

  const second = await run(UPSERT_CONSUMER, { externalId: 'crm-4711', input: { name: 'Ada Lovelace', email: 'ada@lovelace.org' } });
  expect(second.upsertConsumer.consumer).toEqual({ ...created, name: 'Ada Lovelace', email: 'ada@lovelace.org' });

  const found = await consumerBy('crm-4711');
  expect(found.data?.consumerByExternalId).toEqual({ id: created.id, name: 'Ada Lovelace' });
  expect((await consumerBy('crm-0000')).data?.consumerByExternalId).toBeNull();
});

it('upsertProvider creates, then updates, keeping the website left out and clearing the description given as null', async () => {
  const input = { name: 'Acme', contactEmail: 'hello@acme.example.com', category: 'Books', website: 'https://acme.example.com', description: 'Books.' };
  const created = (await run(UPSERT_PROVIDER, { externalId: 'erp/acme', input })).upsertProvider.provider;
  const updated = (await run(UPSERT_PROVIDER, { externalId: 'erp/acme', input: { ...input, name: 'Acme Books', website: undefined, description: null } }))
    .upsertProvider.provider;
  expect(updated).toEqual({ ...created, name: 'Acme Books', description: null });
  const anonymous = await execute('{ providerByExternalId(externalId: "erp/acme") { id externalId } }', undefined, { key: null });
  expect(anonymous.data?.providerByExternalId).toEqual({ id: created.id, externalId: 'erp/acme' });
});

it('keeps external IDs unique per entity type, with a typed conflict that writes nothing', async () => {
  const taken = await createConsumer({ externalId: 'dup-1' });
  const other = await createConsumer();
  const conflict = await run(
    `mutation ($id: ID!) { updateConsumer(id: $id, input: { externalId: "dup-1" }) { ${ERROR_FIELDS} ... on ConflictError { field } } }`,
    { id: other.id },
  );
  expect(conflict.updateConsumer).toMatchObject({ __typename: 'ConflictError', field: 'externalId' });
  const createdTwice = await run(
    `mutation { createConsumer(input: { name: "X", email: "x-dup@example.com", externalId: "dup-1" }) { ${ERROR_FIELDS} ... on ConflictError { field } } }`,
  );
  expect(createdTwice.createConsumer).toMatchObject({ __typename: 'ConflictError', field: 'externalId' });
  expect((await consumerBy('dup-1')).data?.consumerByExternalId.id).toBe(taken.id);

  // The same key on a provider is another entity type's: allowed.
  const provider = await createProvider({ externalId: 'dup-1' });
  const providerConflict = await run(
    `mutation { createProvider(input: { name: "Y", contactEmail: "y@example.com", category: "misc", externalId: "dup-1" }) { ${ERROR_FIELDS} ... on ConflictError { field } } }`,
  );
  expect(providerConflict.createProvider).toMatchObject({ __typename: 'ConflictError', field: 'externalId' });
  const cleared = await run(
    `mutation ($id: ID!) { updateProvider(id: $id, input: { externalId: null }) { ... on UpdateProviderSuccess { provider { externalId } } } }`,
    { id: provider.id },
  );
  expect(cleared.updateProvider.provider.externalId).toBeNull();
});

it.each([
  ['an email address', 'ada@example.com', 'must be letters, digits and . _ : / - (starting with a letter or digit), such as crm-4711'],
  ['a name with spaces', 'Ada Lovelace', 'must be letters, digits and . _ : / - (starting with a letter or digit), such as crm-4711'],
  ['an empty key', '  ', 'must not be empty'],
  ['a key too long', 'k'.repeat(129), 'must be at most 128 characters'],
])('refuses %s as an external ID, in lookups and upserts, before any write', async (_case, externalId, message) => {
  const lookup = await consumerBy(externalId);
  expect(lookup.errors).toEqual([expect.objectContaining({ message: `Invalid input: externalId: ${message}`, extensions: { code: 'InvalidInputError' } })]);
  const upsert = await run(UPSERT_CONSUMER, { externalId, input: { name: 'Z', email: 'z@example.com' } });
  expect(upsert.upsertConsumer).toMatchObject({ __typename: 'InvalidInputError', issues: [{ field: 'externalId', message }] });
  const created = await run(
    `mutation ($externalId: String) { createProvider(input: { name: "Z", contactEmail: "z@example.com", category: "misc", externalId: $externalId }) {
      ${ERROR_FIELDS} ... on InvalidInputError { issues { field } } } }`,
    { externalId },
  );
  expect(created.createProvider).toMatchObject({ __typename: 'InvalidInputError', issues: [{ field: 'externalId' }] });
});

it('answers a lookup by external ID within what the caller may see, a forbidden consumer exactly as a missing one', async () => {
  const [shop, elsewhere] = [await createProvider(), await createProvider()];
  const customer = await createConsumer({ externalId: 'scope-customer' });
  const stranger = await createConsumer({ externalId: 'scope-stranger' });
  await purchase(customer.id, shop.id);
  await purchase(stranger.id, elsewhere.id);
  const providerKey = await keyFor('PROVIDER', shop.id);
  const consumerKey = await keyFor('CONSUMER', customer.id);

  expect((await consumerBy('scope-customer', providerKey)).data?.consumerByExternalId?.id).toBe(customer.id);
  expect(await consumerBy('scope-stranger', providerKey)).toEqual(await consumerBy('scope-nobody', providerKey));
  expect((await consumerBy('scope-stranger', providerKey)).data?.consumerByExternalId).toBeNull();
  expect((await consumerBy('scope-customer', consumerKey)).data?.consumerByExternalId?.id).toBe(customer.id);
  expect(await consumerBy('scope-stranger', consumerKey)).toEqual(await consumerBy('scope-nobody', consumerKey));
  expect(await consumerBy('scope-customer', null)).toEqual(await consumerBy('scope-nobody', null));
});
