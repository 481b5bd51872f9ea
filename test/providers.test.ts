import { ERROR_FIELDS, createConsumer, createProvider, databaseSnapshot, purchase, recordRelation } from './support/factories';
import { run } from './support/graphql';

const CREATE = `mutation ($input: CreateProviderInput!) {
  createProvider(input: $input) {
    ${ERROR_FIELDS}
    ... on InvalidInputError { issues { field message } }
    ... on CreateProviderSuccess { provider { id name contactEmail category website description } }
  }
}`;

const STATS = `query ($id: ID!) {
  provider(id: $id) {
    stats { relationCount distinctConsumers averageRating revenue { currency amountMinor } }
  }
}`;

describe('providers', () => {
  it('creates, updates and reads a provider', async () => {
    const created = await run(CREATE, {
      input: { name: 'Lumen Books', contactEmail: 'Hello@Lumen.example', category: 'Books', website: 'https://lumen.example' },
    });
    const provider = created.createProvider.provider;
    expect(provider).toMatchObject({ contactEmail: 'hello@lumen.example', category: 'books', description: null });

    const updated = await run(
      `mutation ($id: ID!, $input: UpdateProviderInput!) {
        updateProvider(id: $id, input: $input) { ${ERROR_FIELDS} ... on UpdateProviderSuccess { provider { name website description } } }
      }`,
      { id: provider.id, input: { description: 'Second-hand books', website: null } },
    );
    expect(updated.updateProvider.provider).toEqual({ name: 'Lumen Books', website: null, description: 'Second-hand books' });
  });

  it('refuses a website that is not an http(s) URL and a malformed contact email, and writes nothing', async () => {
    const before = await databaseSnapshot();
    const data = await run(CREATE, {
      input: { name: 'Bad', contactEmail: 'nope', category: 'x', website: 'ftp://files.example' },
    });
    expect(data.createProvider.__typename).toBe('InvalidInputError');
    expect(data.createProvider.issues.map((issue: { field: string }) => issue.field).sort()).toEqual(['contactEmail', 'website']);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('aggregates relation count, distinct consumers, average rating and revenue per currency', async () => {
    const provider = await createProvider();
    const [ada, bea] = [await createConsumer(), await createConsumer()];
    await purchase(ada.id, provider.id, { amountMinor: 1000, currency: 'EUR' });
    await purchase(ada.id, provider.id, { amountMinor: 250, currency: 'EUR' });
    await recordRelation({ consumerId: bea.id, providerId: provider.id, kind: 'SUBSCRIPTION', amountMinor: 999, currency: 'USD' });
    await recordRelation({ consumerId: bea.id, providerId: provider.id, kind: 'REVIEW', rating: 5 });
    await recordRelation({ consumerId: ada.id, providerId: provider.id, kind: 'REVIEW', rating: 2 });
    await recordRelation({ consumerId: ada.id, providerId: provider.id, kind: 'FAVORITE' });

    const data = await run(STATS, { id: provider.id });
    expect(data.provider.stats).toEqual({
      relationCount: 6,
      distinctConsumers: 2,
      averageRating: 3.5,
      revenue: [
        { currency: 'EUR', amountMinor: 1250 },
        { currency: 'USD', amountMinor: 999 },
      ],
    });
  });

  it('reports empty aggregates for a provider without relations', async () => {
    const provider = await createProvider();
    const data = await run(STATS, { id: provider.id });
    expect(data.provider.stats).toEqual({ relationCount: 0, distinctConsumers: 0, averageRating: null, revenue: [] });
  });

  it('refuses to delete a provider with relations unless asked to cascade', async () => {
    const provider = await createProvider();
    await purchase((await createConsumer()).id, provider.id);
    const DELETE = `mutation ($id: ID!, $cascade: Boolean) {
      deleteProvider(id: $id, cascade: $cascade) {
        ${ERROR_FIELDS} ... on RelationsExistError { relationCount } ... on Deletion { deletedRelationCount }
      }
    }`;
    const before = await databaseSnapshot();
    const refused = await run(DELETE, { id: provider.id });
    expect(refused.deleteProvider).toMatchObject({ __typename: 'RelationsExistError', relationCount: 1 });
    expect(await databaseSnapshot()).toEqual(before);
    const deleted = await run(DELETE, { id: provider.id, cascade: true });
    expect(deleted.deleteProvider).toEqual({ __typename: 'Deletion', deletedRelationCount: 1 });
    expect((await databaseSnapshot()).consumers).toEqual(before.consumers);
  });

  it('filters by category and name', async () => {
    await createProvider({ name: 'Zeta Rides', category: 'Mobility' });
    await createProvider({ name: 'Zeta Meals', category: 'food' });
    const data = await run(`{
      mobility: providers(filter: { category: "MOBILITY" }) { edges { node { name } } }
      zeta: providers(filter: { nameContains: "Zeta" }) { totalCount }
    }`);
    expect(data.mobility.edges).toEqual([{ node: { name: 'Zeta Rides' } }]);
    expect(data.zeta.totalCount).toBe(2);
  });

  it('matches names and emails whatever their case, on every database', async () => {
    await createProvider({ name: 'Quokka Rides' });
    await createConsumer({ name: 'Wanda Quokkason', email: 'wanda.quokka@example.com' });
    const data = await run(`{
      providers(filter: { nameContains: "qUOKKA" }) { edges { node { name } } }
      byName: consumers(filter: { nameContains: "QUOKKASON" }) { totalCount }
      byEmail: consumers(filter: { email: "Wanda.QUOKKA@Example.com" }) { totalCount }
    }`);
    expect(data.providers.edges).toEqual([{ node: { name: 'Quokka Rides' } }]);
    expect(data.byName.totalCount).toBe(1);
    expect(data.byEmail.totalCount).toBe(1);
  });
});
