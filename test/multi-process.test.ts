import { disconnectDb } from '../src/db/client';
import { adminKey } from './support/graphql';
import { type ServerProcess, freePort, startServer, waitUntilServing } from './support/server-process';

// Two server processes on one database (this file's own: PostgreSQL under TEST_DATABASE=postgres,
// an SQLite file otherwise), as behind a load balancer: each one's analytics follow the writes
// made through the other.

const servers: ServerProcess[] = [];

async function startOnThisDatabase(): Promise<(query: string, variables?: object) => Promise<any>> {
  const port = await freePort();
  const server = startServer({ DATABASE_URL: process.env.DATABASE_URL!, DEMO_DATA: 'false', PORT: String(port) });
  servers.push(server);
  await waitUntilServing(server);
  const authorization = `Bearer ${await adminKey()}`;
  return async (query, variables) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query, variables }),
    });
    const result = await response.json();
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data;
  };
}

afterAll(async () => {
  for (const server of servers) server.child.kill('SIGTERM');
  await Promise.all(servers.map((server) => server.exited));
});

const CREATE = `mutation ($consumer: CreateConsumerInput!, $provider: CreateProviderInput!) {
  createConsumer(input: $consumer) { ... on CreateConsumerSuccess { consumer { id } } }
  createProvider(input: $provider) { ... on CreateProviderSuccess { provider { id } } }
}`;
const PURCHASE = `mutation ($consumerId: ID!, $providerId: ID!) {
  recordRelation(input: { consumerId: $consumerId, providerId: $providerId, kind: PURCHASE, amountMinor: 500, currency: "EUR" }) {
    __typename
  }
}`;
const ANALYTICS = `{
  graphStats(consistency: LATEST) { consumers providers edges }
  providerRanking(metric: DEGREE, first: 5, consistency: LATEST) { entries { rank provider { name } } }
}`;

async function createPair(api: (query: string, variables?: object) => Promise<any>, name: string) {
  const data = await api(CREATE, {
    consumer: { name: `${name} buyer`, email: `${name}@example.com` },
    provider: { name: `${name} shop`, contactEmail: `${name}@shop.example.com`, category: 'retail' },
  });
  return { consumerId: data.createConsumer.consumer.id, providerId: data.createProvider.provider.id };
}

it('shows a relation recorded through one process in the analytics of the other, both ways', async () => {
  await adminKey(); // before the servers start, so that neither makes one of its own
  await disconnectDb(); // a connection held here would make SQLite migrations wait for its lock
  const [first, second] = await Promise.all([startOnThisDatabase(), startOnThisDatabase()]);
  // Both have built their projections of the empty database before any write.
  expect((await first(ANALYTICS)).graphStats).toEqual({ consumers: 0, providers: 0, edges: 0 });
  expect((await second(ANALYTICS)).graphStats).toEqual({ consumers: 0, providers: 0, edges: 0 });

  const north = await createPair(first, 'north');
  expect((await first(PURCHASE, north)).recordRelation.__typename).toBe('RecordRelationSuccess');
  const seenBySecond = await second(ANALYTICS);
  expect(seenBySecond.graphStats).toEqual({ consumers: 1, providers: 1, edges: 1 });
  expect(seenBySecond.providerRanking.entries).toEqual([{ rank: 1, provider: { name: 'north shop' } }]);

  const south = await createPair(second, 'south');
  await second(PURCHASE, south);
  await second(PURCHASE, { consumerId: north.consumerId, providerId: south.providerId });
  const seenByFirst = await first(ANALYTICS);
  expect(seenByFirst.graphStats).toEqual({ consumers: 2, providers: 2, edges: 3 });
  expect(seenByFirst.providerRanking.entries).toEqual([
    { rank: 1, provider: { name: 'south shop' } },
    { rank: 2, provider: { name: 'north shop' } },
  ]);
}, 60_000);
