import { createConsumer, createProvider, purchase, recordRelation } from '../support/factories';
import { execute, run } from '../support/graphql';

// Recommendations, similarity and relationship strength through the GraphQL API.

const ids: Record<string, string> = {};
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

// ann: P1 P2 · bob: P1 P3 · cat: P2 P3 · dan: P3 P4 · eve: nothing yet
beforeAll(async () => {
  for (const name of ['ann', 'bob', 'cat', 'dan', 'eve']) ids[name] = (await createConsumer({ name })).id;
  for (const name of ['P1', 'P2', 'P3', 'P4']) ids[name] = (await createProvider({ name })).id;
  await purchase(ids.ann, ids.P1, { amountMinor: 1000, occurredAt: daysAgo(10) });
  await purchase(ids.bob, ids.P1, { amountMinor: 3000, occurredAt: daysAgo(200) });
  await recordRelation({ consumerId: ids.bob, providerId: ids.P1, kind: 'REVIEW', rating: 2, occurredAt: daysAgo(100) });
  for (const [consumer, provider] of [['ann', 'P2'], ['bob', 'P3'], ['cat', 'P2'], ['cat', 'P3'], ['dan', 'P3'], ['dan', 'P4']]) {
    await purchase(ids[consumer], ids[provider], { occurredAt: daysAgo(5) });
  }
});

const RECOMMENDED = `query ($id: ID!, $first: Int, $kinds: [RelationKind!]) {
  consumer(id: $id) {
    recommendedProviders(first: $first, kinds: $kinds, method: RP3BETA) {
      provider { name } score basis explanation
      reasons { provider { name } sharedConsumers contribution }
    }
  }
}`;

const recommended = async (consumer: string, variables: Record<string, unknown> = {}) =>
  (await run(RECOMMENDED, { id: ids[consumer], ...variables })).consumer.recommendedProviders;

describe('recommendedProviders', () => {
  it('recommends by the random walk, with reasons, then fills up with popular providers', async () => {
    const [walk, popular] = await recommended('ann', { first: 2 });
    expect(walk).toMatchObject({
      provider: { name: 'P3' },
      basis: 'COLLABORATIVE',
      explanation: 'Consumers of P1 (1 shared) and P2 (1 shared) also use P3.',
    });
    expect(walk.score).toBeCloseTo(0.25 / 3 ** 0.25, 12); // β = 0.25
    expect(walk.reasons.map((reason: any) => [reason.provider.name, reason.sharedConsumers])).toEqual([['P1', 1], ['P2', 1]]);
    expect(popular).toMatchObject({ provider: { name: 'P4' }, basis: 'POPULAR', reasons: [], explanation: 'P4 is popular: 1 consumer(s) use it.' });
  });

  it('gives a consumer without relations the most popular providers', async () => {
    const list = await recommended('eve', { first: 3 });
    expect(list.map((entry: any) => [entry.provider.name, entry.basis])).toEqual([['P3', 'POPULAR'], ['P1', 'POPULAR'], ['P2', 'POPULAR']]);
  });

  it('reflects a write at once, and excludes only providers of the kinds considered', async () => {
    await recordRelation({ consumerId: ids.ann, providerId: ids.P3, kind: 'FAVORITE' });
    const names = (list: any[]) => list.map((entry) => entry.provider.name);
    expect(names(await recommended('ann'))).toEqual(['P4']);
    expect(names(await recommended('ann', { kinds: ['PURCHASE'] }))).toContain('P3');
  });

  it('refuses first out of range', async () => {
    const result = await execute(RECOMMENDED, { id: ids.ann, first: 101 });
    expect(result.errors?.[0].message).toBe('Invalid input: first: must be from 1 to 100');
  });
});

describe('similarity', () => {
  it('ranks providers and consumers by cosine similarity of their neighbours', async () => {
    const data = await run(
      `query ($provider: ID!, $consumer: ID!) {
        provider(id: $provider) { similarProviders(first: 1) { provider { name } similarity sharedConsumers } }
        consumer(id: $consumer) { similarConsumers(first: 5) { consumer { name } similarity sharedProviders } }
      }`,
      { provider: ids.P4, consumer: ids.dan },
    );
    // P4's one consumer, dan, also uses P3, which has 4 consumers now (ann's favourite included).
    // bob and cat tie at 1/2 (ordered by ID); ann, with 3 providers, has 1/√6.
    expect(data.provider.similarProviders).toEqual([{ provider: { name: 'P3' }, similarity: 1 / Math.sqrt(4), sharedConsumers: 1 }]);
    expect(data.consumer.similarConsumers.map((entry: any) => entry.consumer.name)).toEqual(['bob', 'cat', 'ann']);
    expect(data.consumer.similarConsumers[0]).toMatchObject({ similarity: 1 / Math.sqrt(2 * 2), sharedProviders: 1 });
  });
});

const RELATIONSHIP = `query ($consumer: ID!, $provider: ID!) {
  consumer(id: $consumer) {
    relationshipWith(providerId: $provider) {
      strength segment relationCount firstInteraction lastInteraction asOf
      components { recency frequency monetary sentiment }
      consumer { name } provider { name }
    }
  }
}`;

describe('relationship strength', () => {
  it('computes the documented formula', async () => {
    const { relationshipWith: relationship } = (await run(RELATIONSHIP, { consumer: ids.ann, provider: ids.P1 })).consumer;
    const ageDays = (Date.parse(relationship.asOf) - Date.parse(relationship.lastInteraction)) / DAY;
    const recency = 0.5 ** (Math.max(0, ageDays) / 90);
    // One purchase of 1000 against bob's 3000: the lower of two, percentile 0.25; no reviews.
    expect(relationship.components).toEqual({ recency: expect.closeTo(recency, 12), frequency: 0.25, monetary: 0.25, sentiment: null });
    expect(relationship.strength).toBeCloseTo((0.35 * recency + 0.25 * 0.25 + 0.25 * 0.25) / 0.85, 12);
    expect(relationship).toMatchObject({ relationCount: 1, segment: 'NEW', consumer: { name: 'ann' }, provider: { name: 'P1' } });
  });

  it('lists a provider’s consumers strongest first, by segment, a page at a time', async () => {
    const LIST = `query ($id: ID!, $segment: RelationshipSegment) {
      provider(id: $id) { relationships(first: 1, segment: $segment) { edges { node { strength segment consumer { name } } } pageInfo { hasNextPage } } }
    }`;
    const all = (await run(LIST, { id: ids.P1 })).provider.relationships;
    expect(all.edges.map((edge: any) => edge.node.consumer.name)).toEqual(['ann']);
    expect(all.pageInfo.hasNextPage).toBe(true);
    // bob: last seen 100 days ago, 2 relations: not recent, not frequent.
    const occasional = (await run(LIST, { id: ids.P1, segment: 'OCCASIONAL' })).provider.relationships;
    expect(occasional.edges.map((edge: any) => edge.node)).toEqual([expect.objectContaining({ segment: 'OCCASIONAL', consumer: { name: 'bob' } })]);
    expect(occasional.pageInfo.hasNextPage).toBe(false);
  });

  it('is null for a pair without relations, and names an unknown or wrong ID', async () => {
    expect((await run(RELATIONSHIP, { consumer: ids.eve, provider: ids.P1 })).consumer.relationshipWith).toBeNull();
    const gone = await createProvider({ name: 'gone' });
    await run(`mutation ($id: ID!) { deleteProvider(id: $id) { __typename } }`, { id: gone.id });
    const unknown = await execute(RELATIONSHIP, { consumer: ids.ann, provider: gone.id });
    expect(unknown.errors?.[0].message).toBe('providerId: no provider with this ID exists');
    const wrongType = await execute(RELATIONSHIP, { consumer: ids.ann, provider: ids.bob });
    expect(wrongType.errors?.[0].message).toBe('Invalid input: providerId: must be the ID of a Provider, but is the ID of a Consumer');
  });

  it('weighs edges for centrality', async () => {
    const data = await run(
      `query ($id: ID!) {
        provider(id: $id) {
          centrality(metric: WEIGHTED_DEGREE, weight: STRENGTH)
          relationships(first: 100) { edges { node { strength } } }
        }
      }`,
      { id: ids.P1 },
    );
    const total = data.provider.relationships.edges.reduce((sum: number, edge: any) => sum + edge.node.strength, 0);
    expect(data.provider.centrality).toBeCloseTo(total, 12);
  });
});
