import { createConsumer, createProvider, recordRelation } from '../support/factories';
import { execute, keyFor, run } from '../support/graphql';

// GDPR access and erasure: what a consumer can take away, and what erasure leaves behind.

let ada: { id: string };
let provider: { id: string };
let adaKey: string;

beforeAll(async () => {
  provider = await createProvider();
  const other = await createProvider();
  ada = await createConsumer({ name: 'Ada Lovelace', email: 'ada@example.com', phone: '+442079460958', marketingConsent: true });
  const bob = await createConsumer({ name: 'Bob' });
  await recordRelation({ consumerId: ada.id, providerId: provider.id, kind: 'PURCHASE', amountMinor: 2500, currency: 'EUR' });
  await recordRelation({ consumerId: ada.id, providerId: provider.id, kind: 'REVIEW', rating: 5, comment: 'Ada loved it' });
  await recordRelation({ consumerId: ada.id, providerId: other.id, kind: 'FAVORITE' });
  await recordRelation({ consumerId: bob.id, providerId: provider.id, kind: 'REVIEW', rating: 3 });
  adaKey = await keyFor('CONSUMER', ada.id);
});

const EXPORT = 'query ($id: ID!) { exportConsumerData(id: $id) }';
const PROVIDER_FIGURES = `query ($provider: ID!) {
  provider(id: $provider) { stats { relationCount distinctConsumers averageRating revenue { currency amountMinor } } }
  providerRanking(metric: PAGERANK) { entries { score provider { id } } }
  graphStats { consumers providers edges }
}`;

it('exports everything held about a consumer, to the consumer itself', async () => {
  await run('mutation ($id: ID!) { updateConsumer(id: $id, input: { marketingConsent: true }) { __typename } }', { id: ada.id });
  const { exportConsumerData: data } = await run(EXPORT, { id: ada.id }, { key: adaKey });
  expect(data.consumer).toMatchObject({ id: ada.id, name: 'Ada Lovelace', email: 'ada@example.com', phone: '+442079460958' });
  expect(data.relations.map((relation: any) => relation.kind).sort()).toEqual(['FAVORITE', 'PURCHASE', 'REVIEW']);
  expect(data.relations.find((relation: any) => relation.kind === 'REVIEW').comment).toBe('Ada loved it');
  expect(data.apiKeys).toEqual([expect.objectContaining({ role: 'CONSUMER', revokedAt: null })]);
  expect(JSON.stringify(data.apiKeys)).not.toMatch(/secretHash|rpk_\w{20}/);
  expect(data.auditTrail.map((entry: any) => entry.operation)).toContain('updateConsumer');
});

it('erases personal data but keeps anonymised relations, so provider statistics and analytics do not change', async () => {
  const before = await run(PROVIDER_FIGURES, { provider: provider.id });

  const erased = await run(
    `mutation ($id: ID!) { eraseConsumer(id: $id) {
      __typename ... on EraseConsumerSuccess { erasure { anonymisedRelationCount consumer { name email phone marketingConsent erasedAt } } }
    } }`,
    { id: ada.id },
    { key: adaKey },
  );
  expect(erased.eraseConsumer.erasure).toEqual({
    anonymisedRelationCount: 1,
    consumer: { name: 'Erased consumer', email: null, phone: null, marketingConsent: false, erasedAt: expect.any(String) },
  });

  const after = await run(PROVIDER_FIGURES, { provider: provider.id });
  expect(after).toEqual(before);

  const { exportConsumerData: left } = await run(EXPORT, { id: ada.id });
  expect(left.consumer).toMatchObject({ name: 'Erased consumer', email: null, phone: null });
  expect(left.relations.map((relation: any) => relation.comment)).toEqual([null, null, null]);
  expect(JSON.stringify(left)).not.toMatch(/Ada|ada@example|7946/);
});

it('revokes the erased consumer’s keys, and frees its email for a new account', async () => {
  const refused = await execute('{ viewer { role } }', {}, { key: adaKey });
  expect(refused.errors?.[0]).toMatchObject({ message: 'This API key is not valid or has been revoked' });
  const again = await createConsumer({ email: 'ada@example.com' });
  expect(again.id).not.toBe(ada.id);
});

it('does not let a provider confirm a guessed email with a filter', async () => {
  const key = await keyFor('PROVIDER', provider.id);
  for (const query of [
    '{ consumers(filter: { email: "bob@example.com" }) { totalCount } }',
    `{ provider(id: "${provider.id}") { consumers(filter: { email: "bob@example.com" }) { totalCount } } }`,
  ]) {
    const result = await execute(query, {}, { key });
    expect(result.errors?.[0]).toMatchObject({
      message: 'filter.email is for admin keys only: matching a guessed email would reveal it',
      extensions: { code: 'ForbiddenError' },
    });
  }
});
