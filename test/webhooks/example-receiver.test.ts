import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { config } from '../../src/config';
import { db } from '../../src/db/client';
import { startWebhookDispatcher } from '../../src/live/webhooks/dispatcher';
import { createLogger } from '../../src/server/logger';
import { createConsumer } from '../support/factories';
import { run } from '../support/graphql';
import { freePort } from '../support/server-process';

// The dependency-free receiver of examples/webhook-receiver, as a reader of docs/webhooks.md runs
// it: it accepts what Rapport signs, once per webhook-id, and refuses what it did not sign.

let receiver: ChildProcess | undefined;
afterAll(() => receiver?.kill());

it('prints each event Rapport sends it once, and refuses a forged one', async () => {
  const port = await freePort();
  const registration = (
    await run(`mutation ($url: String!) { registerWebhookEndpoint(input: { url: $url, eventTypes: [CONSUMER_CREATED] }) {
      ... on RegisterWebhookEndpointSuccess { registration { secret endpoint { id } } } } }`, { url: `http://127.0.0.1:${port}/` })
  ).registerWebhookEndpoint.registration;
  receiver = spawn(process.execPath, [join(__dirname, '..', '..', 'examples', 'webhook-receiver', 'receiver.mjs')], {
    env: { PATH: process.env.PATH, PORT: String(port), WEBHOOK_SECRET: registration.secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  receiver.stdout!.on('data', (chunk) => (printed += chunk));
  await new Promise((resolve) => receiver!.stderr!.once('data', resolve));

  const dispatcher = startWebhookDispatcher(db(), { ...config().webhooks, pollMs: 50 }, createLogger('silent'));
  try {
    await createConsumer();
    const deadline = Date.now() + 20_000;
    while (!printed.includes('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  } finally {
    await dispatcher.stop();
  }
  const lines = printed.trim().split('\n').map((line) => JSON.parse(line));
  expect(lines).toEqual([{ id: expect.stringMatching(/^msg_/), type: 'consumer.created', data: { consumer: { id: expect.any(String) } } }]);

  // The same delivery again (a retry) is acknowledged and not handled twice; a forgery is refused.
  const [{ id }] = lines;
  const replay = await run(`mutation ($id: ID!, $input: ReplayWebhookEventsInput!) { replayWebhookEvents(id: $id, input: $input) { __typename } }`, {
    id: registration.endpoint.id,
    input: { webhookId: id },
  });
  expect(replay.replayWebhookEvents.__typename).toBe('ReplayWebhookEventsSuccess');
  const again = startWebhookDispatcher(db(), { ...config().webhooks, pollMs: 50 }, createLogger('silent'));
  let log: any;
  try {
    for (let waited = 0; waited < 200 && log?.status !== 'DELIVERED'; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      log = (await run(`query ($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 1) { edges { node { status lastResponseCode } } } } }`, {
        id: registration.endpoint.id,
      })).webhookEndpoint.deliveries.edges[0].node;
    }
  } finally {
    await again.stop();
  }
  expect(log).toEqual({ status: 'DELIVERED', lastResponseCode: 204 });
  expect(printed.trim().split('\n')).toHaveLength(1);
  const forged = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
    body: '{"type":"consumer.created","data":{}}',
  });
  expect(forged.status).toBe(401);
});
