import { config } from '../src/config';
import { type Db, createDb, useDb } from '../src/db/client';
import { createConsumer, createProvider, purchase, recordRelation } from './support/factories';
import { run } from './support/graphql';

// As in Pothos's own plugin-prisma tests: a client extension records every database call.
const calls: string[] = [];
useDb(
  createDb(config().databaseUrl).$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        calls.push(`${model ?? '$raw'}.${operation}`);
        return query(args);
      },
    },
  }) as unknown as Db,
);

async function callsFor(document: string, variables?: Record<string, unknown>) {
  calls.length = 0;
  await run(document, variables);
  return [...calls];
}

async function addConsumersWithRelations(count: number, providerIds: string[]) {
  for (let index = 0; index < count; index++) {
    const consumer = await createConsumer();
    for (const providerId of providerIds) await purchase(consumer.id, providerId);
  }
}

const NESTED = `query ($first: Int) {
  consumers(first: $first) {
    edges { node { name relations(first: 5) { edges { node { kind provider { name } } } } } }
  }
}`;

const PROVIDERS_WITH_STATS = `query ($first: Int) {
  providers(first: $first) { edges { node { name stats { relationCount averageRating revenue { currency amountMinor } } } } }
}`;

describe('database calls per query', () => {
  let providerIds: string[];

  beforeAll(async () => {
    providerIds = [(await createProvider()).id, (await createProvider()).id];
    await addConsumersWithRelations(3, providerIds);
  });

  it('plans consumers, their relations and those relations\u2019 providers into one query', async () => {
    const few = await callsFor(NESTED, { first: 3 });
    // The API key comes from the process's key cache (its first use was in beforeAll); one query
    // answers the whole nested selection.
    expect(few).toEqual(['Consumer.findMany']);
    await addConsumersWithRelations(7, providerIds);
    const many = await callsFor(NESTED, { first: 10 });
    expect(many).toEqual(few);
  });

  it('loads the aggregates of a page of providers in a fixed number of queries', async () => {
    const two = await callsFor(PROVIDERS_WITH_STATS, { first: 2 });
    for (let index = 0; index < 8; index++) {
      const provider = await createProvider();
      const consumer = await createConsumer();
      await recordRelation({ consumerId: consumer.id, providerId: provider.id, kind: 'REVIEW', rating: 4 });
    }
    const ten = await callsFor(PROVIDERS_WITH_STATS, { first: 10 });
    expect(ten.sort()).toEqual(two.sort());
    expect(ten).toHaveLength(3);
  });
});
