import { Webhook } from 'standardwebhooks';
import { disconnectDb } from '../../src/db/client';
import { adminKey } from '../support/graphql';
import { type ServerProcess, freePort, startServer, waitForOutput } from '../support/server-process';
import { WebhookReceiver, eventOf } from '../support/webhook-receiver';

// Real server processes on this file's database (PostgreSQL under TEST_DATABASE=postgres, an
// SQLite file otherwise): two deliver each event once between them (a segment entry too, which
// both evaluate), and one killed while retrying leaves the delivery to the next one started.

const servers: ServerProcess[] = [];
const receiver = new WebhookReceiver();
const FAST = { WEBHOOK_POLL_MS: '50', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_TIMEOUT_MS: '1000' };

type Api = (query: string, variables?: object) => Promise<any>;

async function startOnThisDatabase(): Promise<{ api: Api; server: ServerProcess }> {
  const port = await freePort();
  const server = startServer({ DATABASE_URL: process.env.DATABASE_URL!, DEMO_DATA: 'false', PORT: String(port), ...FAST });
  servers.push(server);
  await waitForOutput(server, 'is serving GraphQL', 90_000); // a busy machine starts slowly
  const authorization = `Bearer ${await adminKey()}`;
  const api: Api = async (query, variables) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query, variables }),
    });
    const result = await response.json();
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data;
  };
  return { api, server };
}

beforeAll(async () => {
  await adminKey(); // before the servers start, so that none makes one of its own
  await disconnectDb(); // a connection held here would make SQLite migrations wait for its lock
  await receiver.start();
});

/** A server that does not finish its graceful shutdown in time is killed, and the test fails with what it printed. */
const SHUTDOWN_WAIT_MS = 20_000;

afterAll(async () => {
  const running = servers.filter((server) => server.child.exitCode === null && server.child.signalCode === null);
  for (const server of running) server.child.kill('SIGTERM');
  const timedOut = Symbol('timed out');
  const stuck: ServerProcess[] = [];
  await Promise.all(
    running.map(async (server) => {
      const wait = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS, timedOut).unref());
      if ((await Promise.race([server.exited, wait])) !== timedOut) return;
      stuck.push(server);
      server.child.kill('SIGKILL');
      await server.exited;
    }),
  );
  await receiver.stop();
  if (stuck.length > 0) throw new Error(`A server did not shut down within ${SHUTDOWN_WAIT_MS} ms of SIGTERM:\n${stuck[0].output()}`);
}, 60_000);

const REGISTER = `mutation ($url: String!) {
  registerWebhookEndpoint(input: { url: $url, eventTypes: [RELATION_RECORDED, CONSUMER_CREATED, SEGMENT_ENTERED, SEGMENT_EXITED] }) {
    ... on RegisterWebhookEndpointSuccess { registration { secret } }
  }
}`;
const CREATE = `mutation ($name: String!) {
  createConsumer(input: { name: $name, email: "x@example.com" }) { ... on CreateConsumerSuccess { consumer { id } } }
  createProvider(input: { name: $name, contactEmail: "shop@example.com", category: "retail" }) { ... on CreateProviderSuccess { provider { id } } }
}`;
const SEGMENT = `mutation ($providerId: ID!) {
  createSegment(input: { name: "loyal", definition: { relations: { provider: $providerId, minCount: 3 } } }) { ... on CreateSegmentSuccess { segment { id } } }
}`;
const MEMBERS = `query ($id: ID!) { segment(id: $id) { memberCount } }`;
const PURCHASE = `mutation ($consumerId: ID!, $providerId: ID!) {
  recordRelation(input: { consumerId: $consumerId, providerId: $providerId, kind: PURCHASE, amountMinor: 500, currency: "EUR" }) {
    ... on RecordRelationSuccess { relation { id } }
  }
}`;

it('delivers each event once across two processes, and after restart when the one retrying is killed', async () => {
  const [first, second] = await Promise.all([startOnThisDatabase(), startOnThisDatabase()]);
  const { secret } = (await first.api(REGISTER, { url: receiver.url })).registerWebhookEndpoint.registration;
  const pair = (await first.api(CREATE, { name: 'north' }));
  const consumerId = pair.createConsumer.consumer.id;
  const providerId = pair.createProvider.provider.id;
  const segmentId = (await first.api(SEGMENT, { providerId })).createSegment.segment.id;
  const recorded: string[] = [];
  for (let i = 0; i < 10; i++) {
    const api = i % 2 === 0 ? first.api : second.api;
    recorded.push((await api(PURCHASE, { consumerId, providerId })).recordRelation.relation.id);
  }
  // Both processes evaluate the segment (after their own writes, and now before answering).
  const counts = await Promise.all([first.api(MEMBERS, { id: segmentId }), second.api(MEMBERS, { id: segmentId })]);
  expect(counts.map((count) => count.segment.memberCount)).toEqual([1, 1]);
  await receiver.waitFor(12, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // time for a duplicate to show up, if any
  expect(receiver.received).toHaveLength(12); // no event twice: one delivery across both processes, one entry decided
  const events = receiver.received.map((request) => new Webhook(secret).verify(request.body, request.headers) as { type: string; data: any });
  expect(events[0].type).toBe('consumer.created');
  expect(events.filter((event) => event.type === 'relation.recorded').map((event) => event.data.relation.id)).toEqual(recorded);
  const entries = events.filter((event) => event.type.startsWith('segment.'));
  expect(entries.map((event) => [event.type, event.data.segment.id, event.data.consumer.id])).toEqual([['segment.entered', segmentId, consumerId]]);
  // The entry follows the third relation, which made the consumer a member.
  expect(events.indexOf(entries[0])).toBeGreaterThan(events.findIndex((event) => event.data.relation?.id === recorded[2]));

  // Now the receiver fails; both processes are stopped, one of them by SIGKILL mid-retry.
  let attempts = 0;
  receiver.respond = () => (attempts++, 503);
  const failing = (await first.api(PURCHASE, { consumerId, providerId })).recordRelation.relation.id;
  const deadline = Date.now() + 20_000;
  while (attempts < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(attempts).toBeGreaterThanOrEqual(2);
  second.server.child.kill('SIGTERM');
  await second.server.exited;
  first.server.child.kill('SIGKILL');
  await first.server.exited;
  receiver.respond = () => 200;

  const restarted = await startOnThisDatabase();
  const [last] = (await receiver.waitFor(13, 30_000)).slice(-1);
  expect(eventOf(last).data.relation.id).toBe(failing);
  expect(() => new Webhook(secret).verify(last.body, last.headers)).not.toThrow();
  const later = (await restarted.api(PURCHASE, { consumerId, providerId })).recordRelation.relation.id;
  const all = await receiver.waitFor(14, 30_000);
  expect(eventOf(all[13]).data.relation.id).toBe(later);
}, 300_000);
