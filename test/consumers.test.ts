import { ERROR_FIELDS, createConsumer, createProvider, databaseSnapshot, purchase } from './support/factories';
import { execute, run } from './support/graphql';

const CREATE = `mutation ($input: CreateConsumerInput!) {
  createConsumer(input: $input) {
    ${ERROR_FIELDS}
    ... on InvalidInputError { issues { field message } }
    ... on ConflictError { field }
    ... on CreateConsumerSuccess { consumer { id name email phone marketingConsent createdAt updatedAt } }
  }
}`;

const UPDATE = `mutation ($id: ID!, $input: UpdateConsumerInput!) {
  updateConsumer(id: $id, input: $input) {
    ${ERROR_FIELDS}
    ... on InvalidInputError { issues { field message } }
    ... on NotFoundError { field }
    ... on ConflictError { field }
    ... on UpdateConsumerSuccess { consumer { id name email phone marketingConsent } }
  }
}`;

const DELETE = `mutation ($id: ID!, $cascade: Boolean) {
  deleteConsumer(id: $id, cascade: $cascade) {
    ${ERROR_FIELDS}
    ... on RelationsExistError { relationCount }
    ... on Deletion { deletedId deletedRelationCount }
  }
}`;

describe('createConsumer', () => {
  it('creates a consumer, normalising email and phone, readable by global ID', async () => {
    const data = await run(CREATE, {
      input: { name: ' Ada Lovelace ', email: 'Ada@Example.COM', phone: '+44 20 7946-0958', marketingConsent: true },
    });
    const consumer = data.createConsumer.consumer;
    expect(consumer).toMatchObject({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+442079460958',
      marketingConsent: true,
    });
    const read = await run(`query ($id: ID!) { consumer(id: $id) { name } node(id: $id) { ... on Consumer { email } } }`, {
      id: consumer.id,
    });
    expect(read).toEqual({ consumer: { name: 'Ada Lovelace' }, node: { email: 'ada@example.com' } });
  });

  it.each([
    ['a malformed email', { email: 'not-an-email' }, 'email', /valid email/],
    ['an empty name', { name: '   ' }, 'name', /must not be empty/],
    ['a malformed phone number', { phone: '12' }, 'phone', /international phone number/],
  ])('refuses %s, naming the field, and writes nothing', async (_name, fields, field, message) => {
    const before = await databaseSnapshot();
    const data = await run(CREATE, { input: { name: 'Bea', email: 'bea@example.com', ...fields } });
    expect(data.createConsumer).toMatchObject({ __typename: 'InvalidInputError' });
    expect(data.createConsumer.issues).toEqual([{ field, message: expect.stringMatching(message) }]);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('refuses an email that another consumer has, whatever its case', async () => {
    await createConsumer({ email: 'taken@example.com' });
    const before = await databaseSnapshot();
    const data = await run(CREATE, { input: { name: 'Copy', email: 'TAKEN@example.com' } });
    expect(data.createConsumer).toMatchObject({ __typename: 'ConflictError', field: 'email' });
    expect(data.createConsumer.message).toMatch(/already used/);
    expect(await databaseSnapshot()).toEqual(before);
  });
});

describe('updateConsumer', () => {
  it('changes only the given fields and clears the phone with null', async () => {
    const created = await run(CREATE, { input: { name: 'Cyril', email: 'cyril@example.com', phone: '+33123456789' } });
    const { id } = created.createConsumer.consumer;
    const renamed = await run(UPDATE, { id, input: { name: 'Cyril N.' } });
    expect(renamed.updateConsumer.consumer).toMatchObject({ name: 'Cyril N.', email: 'cyril@example.com', phone: '+33123456789' });
    const cleared = await run(UPDATE, { id, input: { phone: null, marketingConsent: true } });
    expect(cleared.updateConsumer.consumer).toMatchObject({ name: 'Cyril N.', phone: null, marketingConsent: true });
  });

  it('refuses null for a required field, a taken email and an unknown ID', async () => {
    const { id } = await createConsumer();
    await createConsumer({ email: 'other@example.com' });
    const before = await databaseSnapshot();

    const nulled = await run(UPDATE, { id, input: { name: null } });
    expect(nulled.updateConsumer.issues).toEqual([{ field: 'name', message: expect.stringMatching(/must not be null/) }]);
    const taken = await run(UPDATE, { id, input: { email: 'other@example.com' } });
    expect(taken.updateConsumer).toMatchObject({ __typename: 'ConflictError', field: 'email' });
    const missing = await run(UPDATE, { id: Buffer.from('Consumer:424242').toString('base64'), input: { name: 'X' } });
    expect(missing.updateConsumer).toMatchObject({ __typename: 'NotFoundError', field: 'id' });

    expect(await databaseSnapshot()).toEqual(before);
  });
});

describe('deleteConsumer', () => {
  it('refuses to delete a consumer with relations unless asked to cascade', async () => {
    const consumer = await createConsumer();
    const provider = await createProvider();
    await purchase(consumer.id, provider.id);
    await purchase(consumer.id, provider.id);
    const before = await databaseSnapshot();

    const refused = await run(DELETE, { id: consumer.id });
    expect(refused.deleteConsumer).toMatchObject({ __typename: 'RelationsExistError', relationCount: 2 });
    expect(refused.deleteConsumer.message).toMatch(/cascade: true/);
    expect(await databaseSnapshot()).toEqual(before);

    const deleted = await run(DELETE, { id: consumer.id, cascade: true });
    expect(deleted.deleteConsumer).toEqual({ __typename: 'Deletion', deletedId: consumer.id, deletedRelationCount: 2 });
    const after = await databaseSnapshot();
    expect(after.consumers).toHaveLength(before.consumers.length - 1);
    expect(after.relations).toHaveLength(before.relations.length - 2);
    expect(after.providers).toEqual(before.providers);
  });

  it('deletes a consumer without relations', async () => {
    const consumer = await createConsumer();
    const data = await run(DELETE, { id: consumer.id });
    expect(data.deleteConsumer).toMatchObject({ __typename: 'Deletion', deletedRelationCount: 0 });
    const read = await run(`query ($id: ID!) { consumer(id: $id) { id } }`, { id: consumer.id });
    expect(read.consumer).toBeNull();
  });
});

describe('consumer lookups', () => {
  it('answers a wrong-type or malformed ID with a clear error', async () => {
    const provider = await createProvider();
    const wrongType = await execute(`query ($id: ID!) { consumer(id: $id) { id } }`, { id: provider.id });
    expect(wrongType.errors?.[0]).toMatchObject({
      message: 'Invalid input: id: must be the ID of a Consumer, but is the ID of a Provider',
      extensions: { code: 'InvalidInputError' },
    });
    const malformed = await execute(`{ consumer(id: "%%%") { id } }`);
    expect(malformed.errors?.[0].message).toMatch(/is not a valid ID/);
  });

  it('lists the distinct providers of a consumer, and the distinct consumers of a provider', async () => {
    const consumer = await createConsumer();
    const [first, second] = [await createProvider({ name: 'AAA first' }), await createProvider({ name: 'AAB second' })];
    await purchase(consumer.id, first.id);
    await purchase(consumer.id, first.id);
    await purchase(consumer.id, second.id);
    const data = await run(
      `query ($id: ID!, $provider: ID!) {
        consumer(id: $id) { providers { totalCount edges { node { name } } } }
        provider(id: $provider) { consumers { totalCount edges { node { id } } } }
      }`,
      { id: consumer.id, provider: first.id },
    );
    expect(data.consumer.providers).toEqual({
      totalCount: 2,
      edges: [{ node: { name: 'AAA first' } }, { node: { name: 'AAB second' } }],
    });
    expect(data.provider.consumers).toEqual({ totalCount: 1, edges: [{ node: { id: consumer.id } }] });
  });
});
