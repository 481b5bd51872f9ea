import { encodeGlobalID } from '@pothos/plugin-relay';
import { db } from '../src/db/client';
import { onPostgres } from './support/test-database';
import { ERROR_FIELDS, createConsumer, createProvider, databaseSnapshot, recordRelation } from './support/factories';
import { execute, keyFor, run } from './support/graphql';

/** mergeConsumers through the API: ties move, analytics follow, keys go, the merge is recorded, and failures change nothing. */

const MERGE = `mutation ($into: ID!, $from: [ID!]!) {
  mergeConsumers(into: $into, from: $from) {
    ${ERROR_FIELDS}
    ... on InvalidInputError { issues { field message } }
    ... on NotFoundError { field }
    ... on ErasedConsumerError { field }
    ... on MergeConsumersSuccess { merge { movedRelationCount revokedKeyCount consumer { id externalId createdAt marketingConsent relations { totalCount } } } }
  }
}`;

const merge = async (into: string, from: string[]) => (await run(MERGE, { into, from })).mergeConsumers;

/** What the analytics answer about one consumer and the providers: all read at the latest graph version. */
async function analyticsOf(consumerId: string) {
  const data = await run(
    `query ($id: ID!) {
      consumer(id: $id) {
        centrality(metric: PAGERANK, consistency: LATEST)
        degree: centrality(metric: DEGREE, consistency: LATEST)
        recommendedProviders(first: 5, consistency: LATEST) { provider { id } score basis }
        relationships: providers(first: 20) { edges { node { id relationshipWith(consumerId: $id) { strength } } } }
      }
      providerRanking(metric: PAGERANK, first: 20, consistency: LATEST) { entries { score provider { id } } }
      graphStats(consistency: LATEST) { consumers providers edges }
    }`,
    { id: consumerId },
  );
  return {
    centrality: data.consumer.centrality,
    degree: data.consumer.degree,
    recommendations: data.consumer.recommendedProviders,
    strengths: data.consumer.relationships.edges.map((edge: any) => [edge.node.id, edge.node.relationshipWith.strength]),
    ranking: data.providerRanking.entries.map((entry: any) => [entry.provider.id, entry.score]),
    stats: data.graphStats,
  };
}

type Facts = { provider: number; kind: string; amountMinor?: number; currency?: string; rating?: number; day: number };

const A_RELATIONS: Facts[] = [
  { provider: 0, kind: 'PURCHASE', amountMinor: 1200, currency: 'EUR', day: 1 },
  { provider: 1, kind: 'REVIEW', rating: 4, day: 2 },
];
const B_RELATIONS: Facts[] = [
  { provider: 0, kind: 'PURCHASE', amountMinor: 800, currency: 'EUR', day: 3 },
  { provider: 2, kind: 'FAVORITE', day: 4 },
  { provider: 3, kind: 'SUBSCRIPTION', amountMinor: 999, currency: 'EUR', day: 5 },
];

async function record(consumerId: string, providers: string[], facts: Facts[]) {
  for (const { provider, day, ...rest } of facts) {
    await recordRelation({ consumerId, providerId: providers[provider], occurredAt: new Date(Date.UTC(2026, 0, day)).toISOString(), ...rest });
  }
}

/** A merge's arguments: into, from. */
type Args = [string, string[]];

describe('mergeConsumers', () => {
  let providers: string[];

  beforeAll(async () => {
    providers = [];
    for (let index = 0; index < 6; index++) providers.push((await createProvider({ name: `Merge provider ${index}` })).id);
    // Other consumers, so that recommendations and rankings have something to go on.
    for (let index = 0; index < 6; index++) {
      const other = await createConsumer();
      await record(other.id, providers, [
        { provider: index % 6, kind: 'FAVORITE', day: 6 + index },
        { provider: (index + 1) % 6, kind: 'PURCHASE', amountMinor: 500 + index, currency: 'EUR', day: 7 + index },
        ...(index % 2 === 0 ? [{ provider: 4, kind: 'REVIEW', rating: 5, day: 8 }] : []),
      ]);
    }
  });

  it('moves the ties to the survivor, so that analytics answer as on a platform built with the merged relations', async () => {
    const direct = await createConsumer();
    await record(direct.id, providers, [...A_RELATIONS, ...B_RELATIONS]);
    const expected = await analyticsOf(direct.id);
    await run(`mutation ($id: ID!) { deleteConsumer(id: $id, cascade: true) { __typename } }`, { id: direct.id });

    const a = await createConsumer();
    const b = await createConsumer();
    await record(a.id, providers, A_RELATIONS);
    await record(b.id, providers, B_RELATIONS);
    const before = await analyticsOf(a.id);
    expect(before.stats.consumers).toBe(expected.stats.consumers + 1);

    const result = await merge(a.id, [b.id]);
    expect(result).toMatchObject({ __typename: 'MergeConsumersSuccess', merge: { movedRelationCount: 3, consumer: { id: a.id, relations: { totalCount: 5 } } } });
    const after = await analyticsOf(a.id);
    expect(after.stats).toEqual(expected.stats);
    expect(after.centrality).toBeCloseTo(expected.centrality, 12);
    expect(after.degree).toBeCloseTo(expected.degree, 12);
    expect(after.strengths).toEqual(expected.strengths);
    expect(after.recommendations).toEqual(expected.recommendations);
    expect(after.ranking.map(([id]: [string]) => id)).toEqual(expected.ranking.map(([id]: [string]) => id));
    after.ranking.forEach(([, score]: [string, number], index: number) => expect(score).toBeCloseTo(expected.ranking[index][1], 12));
    // The merged node is gone from every answer.
    expect((await run('query ($id: ID!) { node(id: $id) { id } }', { id: b.id })).node).toBeNull();
  });

  it('keeps the earliest creation, consent only if all gave it, the survivor’s external ID; revokes keys, records the merge and audits it', async () => {
    const into = await createConsumer({ externalId: 'merge-into', marketingConsent: true });
    const older = await createConsumer({ externalId: 'merge-older', marketingConsent: false });
    const plain = await createConsumer({ marketingConsent: true });
    await db().consumer.update({ where: { externalId: 'merge-older' }, data: { createdAt: new Date('2020-05-05T00:00:00Z') } });
    const key = await keyFor('CONSUMER', older.id);
    expect((await execute('{ viewer { role } }', undefined, { key })).data?.viewer.role).toBe('CONSUMER');

    const result = await merge(into.id, [older.id, plain.id]);
    expect(result.merge).toMatchObject({
      revokedKeyCount: 1,
      consumer: { id: into.id, externalId: 'merge-into', createdAt: '2020-05-05T00:00:00.000Z', marketingConsent: false },
    });

    // The merged account's key is refused from the next request on.
    const refused = await execute('{ viewer { role } }', undefined, { key });
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['AuthenticationError']);
    // Its external ID now finds the survivor.
    const byOldKey = await run('{ consumerByExternalId(externalId: "merge-older") { id } }');
    expect(byOldKey.consumerByExternalId.id).toBe(into.id);
    // Nobody else may take it.
    const taken = await run(`mutation { createConsumer(input: { name: "T", email: "t-merge@example.com", externalId: "merge-older" }) { ${ERROR_FIELDS} } }`);
    expect(taken.createConsumer.__typename).toBe('ConflictError');

    const exported = (await run('query ($id: ID!) { exportConsumerData(id: $id) }', { id: into.id })).exportConsumerData;
    expect(exported.mergedAccounts).toEqual([
      { id: older.id, externalId: 'merge-older', createdAt: '2020-05-05T00:00:00.000Z', mergedAt: expect.any(String) },
      { id: plain.id, externalId: null, createdAt: expect.any(String), mergedAt: expect.any(String) },
    ]);
    expect(exported.auditTrail).toContainEqual(expect.objectContaining({ operation: 'mergeConsumers', outcome: 'OK' }));
    const audit = await run('{ auditLog(first: 1, filter: { operation: "mergeConsumers" }) { edges { node { targetIds outcome } } } }');
    expect(audit.auditLog.edges[0].node.outcome).toBe('OK');
    expect(audit.auditLog.edges[0].node.targetIds.sort()).toEqual([into.id, older.id, plain.id].sort());
  });

  it('carries aliases on: merging a survivor into another keeps every merged external ID finding the last survivor', async () => {
    const [first, second, third] = [await createConsumer({ externalId: 'chain-1' }), await createConsumer({ externalId: 'chain-2' }), await createConsumer()];
    await merge(first.id, [second.id]);
    await merge(third.id, [first.id]);
    for (const externalId of ['chain-1', 'chain-2']) {
      expect((await run('query ($e: String!) { consumerByExternalId(externalId: $e) { id } }', { e: externalId })).consumerByExternalId.id).toBe(third.id);
    }
    const exported = (await run('query ($id: ID!) { exportConsumerData(id: $id) }', { id: third.id })).exportConsumerData;
    expect(exported.mergedAccounts.map((account: any) => account.id).sort()).toEqual([first.id, second.id].sort());
  });

  it.each([
    ['itself', (ids: string[]): Args => [ids[0], [ids[1], ids[0]]], { __typename: 'InvalidInputError', issues: [{ field: 'from.1', message: 'is the consumer merged into: a consumer cannot be merged into itself' }] }],
    ['a duplicate', (ids: string[]): Args => [ids[0], [ids[1], ids[1]]], { __typename: 'InvalidInputError', issues: [{ field: 'from.1', message: 'repeats from.0' }] }],
    ['nobody', (ids: string[]): Args => [ids[0], []], { __typename: 'InvalidInputError', issues: [{ field: 'from', message: 'must name at least one consumer to merge' }] }],
    ['too many', (ids: string[]): Args => [ids[0], Array.from({ length: 21 }, (_, index) => encodeGlobalID('Consumer', 900000 + index))], { __typename: 'InvalidInputError', issues: [{ field: 'from', message: 'must name at most 20 consumers' }] }],
    ['an unknown ID', (ids: string[]): Args => [ids[0], [ids[1], encodeGlobalID('Consumer', 987654321)]], { __typename: 'NotFoundError', field: 'from.1' }],
    ['an unknown survivor', (ids: string[]): Args => [encodeGlobalID('Consumer', 987654321), [ids[1]]], { __typename: 'NotFoundError', field: 'into' }],
    ['an erased consumer', (ids: string[]): Args => [ids[0], [ids[1], ids[2]]], { __typename: 'ErasedConsumerError', field: 'from.1' }],
    ['a provider’s ID', (ids: string[]): Args => [ids[0], [ids[3]]], { __typename: 'InvalidInputError', issues: [{ field: 'from.0', message: 'must be the ID of a Consumer, but is the ID of a Provider' }] }],
  ] as const)('refuses merging %s with a typed error, changing nothing', async (_case, args, expected) => {
    const [into, other, erased] = [await createConsumer(), await createConsumer(), await createConsumer()];
    await recordRelation({ consumerId: other.id, providerId: providers[0], kind: 'FAVORITE' });
    await run('mutation ($id: ID!) { eraseConsumer(id: $id) { __typename } }', { id: erased.id });
    const before = await databaseSnapshot();
    const [intoId, from] = args([into.id, other.id, erased.id, providers[0]]);
    expect(await merge(intoId, from)).toMatchObject(expected);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('leaves the database as it was when the merge fails halfway', async () => {
    const [into, merged] = [await createConsumer({ externalId: 'fail-into' }), await createConsumer({ externalId: 'fail-merged' })];
    await recordRelation({ consumerId: merged.id, providerId: providers[1], kind: 'FAVORITE' });
    const key = await keyFor('CONSUMER', merged.id);
    const state = async () => ({
      rows: await databaseSnapshot(),
      keys: await db().apiKey.findMany({ orderBy: { id: 'asc' } }),
      merges: await db().consumerMerge.count(),
      lastChange: (await db().changeLogEntry.aggregate({ _max: { id: true } }))._max.id,
    });
    const before = await state();
    // Deleting the merged consumer is the merge's last write: make the database refuse it.
    await forceFailureOnConsumerDelete(true);
    try {
      const failed = await execute(MERGE, { into: into.id, from: [merged.id] });
      expect(failed.errors?.map((error) => error.message)).toEqual(['Unexpected error.']);
    } finally {
      await forceFailureOnConsumerDelete(false);
    }
    expect(await state()).toEqual(before);
    expect((await execute('{ viewer { role } }', undefined, { key })).data?.viewer.role).toBe('CONSUMER');
    const audit = await run('{ auditLog(first: 1, filter: { operation: "mergeConsumers" }) { edges { node { outcome } } } }');
    expect(audit.auditLog.edges[0].node.outcome).not.toBe('OK');
  });
});

async function forceFailureOnConsumerDelete(on: boolean) {
  if (onPostgres) {
    if (on) {
      await db().$executeRawUnsafe(`CREATE FUNCTION forced_failure() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$ LANGUAGE plpgsql`);
      await db().$executeRawUnsafe('CREATE TRIGGER forced_failure BEFORE DELETE ON "Consumer" FOR EACH ROW EXECUTE FUNCTION forced_failure()');
    } else {
      await db().$executeRawUnsafe('DROP TRIGGER forced_failure ON "Consumer"');
      await db().$executeRawUnsafe('DROP FUNCTION forced_failure()');
    }
  } else if (on) {
    await db().$executeRawUnsafe(`CREATE TRIGGER forced_failure BEFORE DELETE ON "Consumer" BEGIN SELECT RAISE(ABORT, 'forced failure'); END`);
  } else {
    await db().$executeRawUnsafe('DROP TRIGGER forced_failure');
  }
}
