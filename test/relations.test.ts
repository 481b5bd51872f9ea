import { RECORD_RELATION, createConsumer, createProvider, databaseSnapshot, recordRelation } from './support/factories';
import { run } from './support/graphql';

let consumerId: string;
let providerId: string;

beforeAll(async () => {
  consumerId = (await createConsumer({ name: 'Ada' })).id;
  providerId = (await createProvider({ name: 'Northwind' })).id;
});

describe('recordRelation', () => {
  it('records every kind with the attributes that kind needs', async () => {
    const occurredAt = '2026-03-01T12:00:00.000Z';
    const base = { consumerId, providerId, occurredAt };
    const purchase = await recordRelation({ ...base, kind: 'PURCHASE', amountMinor: 1999, currency: 'eur' });
    const subscription = await recordRelation({ ...base, kind: 'SUBSCRIPTION', amountMinor: 999, currency: 'USD' });
    const review = await recordRelation({ ...base, kind: 'REVIEW', rating: 4, comment: 'Good' });
    const favorite = await recordRelation({ ...base, kind: 'FAVORITE' });

    expect([purchase, subscription, review, favorite]).toEqual([
      expect.objectContaining({ kind: 'PURCHASE', amountMinor: 1999, currency: 'EUR', rating: null, occurredAt }),
      expect.objectContaining({ kind: 'SUBSCRIPTION', amountMinor: 999, currency: 'USD', rating: null }),
      expect.objectContaining({ kind: 'REVIEW', rating: 4, comment: 'Good', amountMinor: null }),
      expect.objectContaining({ kind: 'FAVORITE', rating: null, amountMinor: null, currency: null }),
    ]);
  });

  it('allows many relations between the same consumer and provider', async () => {
    const before = await run(`query ($id: ID!) { consumer(id: $id) { relations { totalCount } } }`, { id: consumerId });
    await recordRelation({ consumerId, providerId, kind: 'FAVORITE' });
    await recordRelation({ consumerId, providerId, kind: 'FAVORITE' });
    const after = await run(`query ($id: ID!) { consumer(id: $id) { relations { totalCount } } }`, { id: consumerId });
    expect(after.consumer.relations.totalCount).toBe(before.consumer.relations.totalCount + 2);
  });

  it('defaults occurredAt to now', async () => {
    const started = Date.now();
    const relation = await recordRelation({ consumerId, providerId, kind: 'FAVORITE' });
    const occurredAt = Date.parse(relation.occurredAt);
    expect(occurredAt).toBeGreaterThanOrEqual(started - 1000);
    expect(occurredAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  const badInputs: [string, Record<string, unknown>, { __typename: string; field: string; message: RegExp }][] = [
    ['a rating of 6', { kind: 'REVIEW', rating: 6 }, { __typename: 'InvalidInputError', field: 'rating', message: /from 1 to 5/ }],
    ['a rating of 0', { kind: 'REVIEW', rating: 0 }, { __typename: 'InvalidInputError', field: 'rating', message: /from 1 to 5/ }],
    ['a review without a rating', { kind: 'REVIEW', comment: 'Nice' }, { __typename: 'InvalidInputError', field: 'rating', message: /required for a REVIEW/ }],
    ['a negative amount', { kind: 'PURCHASE', amountMinor: -5, currency: 'EUR' }, { __typename: 'InvalidInputError', field: 'amountMinor', message: /must not be negative/ }],
    ['an unknown currency', { kind: 'PURCHASE', amountMinor: 5, currency: 'XYZ' }, { __typename: 'InvalidInputError', field: 'currency', message: /ISO 4217/ }],
    ['a purchase without an amount', { kind: 'PURCHASE', currency: 'EUR' }, { __typename: 'InvalidInputError', field: 'amountMinor', message: /required for a PURCHASE/ }],
    ['a subscription without a currency', { kind: 'SUBSCRIPTION', amountMinor: 5 }, { __typename: 'InvalidInputError', field: 'currency', message: /required for a SUBSCRIPTION/ }],
    ['a rating on a purchase', { kind: 'PURCHASE', amountMinor: 5, currency: 'EUR', rating: 3 }, { __typename: 'InvalidInputError', field: 'rating', message: /not allowed on a PURCHASE/ }],
    ['an amount on a favourite', { kind: 'FAVORITE', amountMinor: 5 }, { __typename: 'InvalidInputError', field: 'amountMinor', message: /not allowed on a FAVORITE/ }],
    ['an occurrence in the future', { kind: 'FAVORITE', occurredAt: '2999-01-01T00:00:00Z' }, { __typename: 'InvalidInputError', field: 'occurredAt', message: /future/ }],
  ];

  it.each(badInputs)('refuses %s, naming the field, and writes nothing', async (_name, fields, expected) => {
    const before = await databaseSnapshot();
    const data = await run(RECORD_RELATION, { input: { consumerId, providerId, ...fields } });
    expect(data.recordRelation.__typename).toBe(expected.__typename);
    expect(data.recordRelation.issues).toEqual([{ field: expected.field, message: expect.stringMatching(expected.message) }]);
    expect(data.recordRelation.message).toContain(expected.field);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('refuses an ID of the wrong type, naming the field', async () => {
    const before = await databaseSnapshot();
    const data = await run(RECORD_RELATION, { input: { consumerId: providerId, providerId, kind: 'FAVORITE' } });
    expect(data.recordRelation).toMatchObject({
      __typename: 'InvalidInputError',
      issues: [{ field: 'consumerId', message: 'must be the ID of a Consumer, but is the ID of a Provider' }],
    });
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('refuses a malformed ID, naming the field', async () => {
    const data = await run(RECORD_RELATION, { input: { consumerId, providerId: 'not-an-id', kind: 'FAVORITE' } });
    expect(data.recordRelation).toMatchObject({
      __typename: 'InvalidInputError',
      issues: [{ field: 'providerId', message: '"not-an-id" is not a valid ID: pass an `id` this API returned' }],
    });
  });

  it('refuses an unknown consumer or provider with NotFoundError', async () => {
    const before = await databaseSnapshot();
    const missingConsumer = Buffer.from('Consumer:999999').toString('base64');
    const missingProvider = Buffer.from('Provider:999999').toString('base64');
    const first = await run(RECORD_RELATION, { input: { consumerId: missingConsumer, providerId, kind: 'FAVORITE' } });
    const second = await run(RECORD_RELATION, { input: { consumerId, providerId: missingProvider, kind: 'FAVORITE' } });
    expect(first.recordRelation).toMatchObject({ __typename: 'NotFoundError', field: 'consumerId', entity: 'Consumer' });
    expect(second.recordRelation).toMatchObject({ __typename: 'NotFoundError', field: 'providerId', entity: 'Provider' });
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('reports every problem of an input at once', async () => {
    const data = await run(RECORD_RELATION, {
      input: { consumerId, providerId, kind: 'PURCHASE', amountMinor: -1, currency: 'EURO' },
    });
    expect(data.recordRelation.issues.map((issue: { field: string }) => issue.field).sort()).toEqual([
      'amountMinor',
      'currency',
    ]);
  });
});

describe('deleteRelation', () => {
  const DELETE = `mutation ($id: ID!) {
    deleteRelation(id: $id) {
      __typename
      ... on Deletion { deletedId deletedRelationCount }
      ... on Error { message }
    }
  }`;

  it('deletes a relation, and a second delete finds nothing', async () => {
    const relation = await recordRelation({ consumerId, providerId, kind: 'FAVORITE' });
    const first = await run(DELETE, { id: relation.id });
    expect(first.deleteRelation).toEqual({ __typename: 'Deletion', deletedId: relation.id, deletedRelationCount: 1 });
    const second = await run(DELETE, { id: relation.id });
    expect(second.deleteRelation.__typename).toBe('NotFoundError');
  });

  it('refuses the ID of a consumer', async () => {
    const data = await run(DELETE, { id: consumerId });
    expect(data.deleteRelation).toMatchObject({ __typename: 'InvalidInputError' });
  });
});

describe('relations query', () => {
  it('filters by kind, consumer, provider and occurrence range', async () => {
    const other = await createProvider({ name: 'Other' });
    const when = (day: number) => `2025-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
    await recordRelation({ consumerId, providerId: other.id, kind: 'REVIEW', rating: 5, occurredAt: when(1) });
    await recordRelation({ consumerId, providerId: other.id, kind: 'REVIEW', rating: 3, occurredAt: when(10) });
    await recordRelation({ consumerId, providerId: other.id, kind: 'FAVORITE', occurredAt: when(5) });

    const data = await run(
      `query ($filter: RelationFilter) {
        relations(filter: $filter) { totalCount edges { node { rating occurredAt provider { name } } } }
      }`,
      { filter: { providerId: other.id, kinds: ['REVIEW'], occurredFrom: when(1), occurredBefore: when(10) } },
    );
    expect(data.relations.totalCount).toBe(1);
    expect(data.relations.edges).toEqual([{ node: { rating: 5, occurredAt: when(1), provider: { name: 'Other' } } }]);
  });

  it('refuses an empty occurrence range with an error naming the fields', async () => {
    const { execute } = await import('./support/graphql');
    const result = await execute(`{ relations(filter: { occurredFrom: "2025-02-01T00:00:00Z", occurredBefore: "2025-01-01T00:00:00Z" }) { totalCount } }`);
    expect(result.errors?.[0].message).toBe('Invalid input: filter.occurredBefore: must be later than filter.occurredFrom');
  });
});
