import { Webhook } from 'standardwebhooks';
import { config } from '../../src/config';
import { db } from '../../src/db/client';
import { type WebhookDispatcher, startWebhookDispatcher } from '../../src/live/webhooks/dispatcher';
import { createLogger } from '../../src/server/logger';
import { createConsumer } from '../support/factories';
import { run } from '../support/graphql';
import { WebhookReceiver } from '../support/webhook-receiver';

// An endpoint disabled after failing for the retry window, through the API and a real receiver:
// its events are held (up to the bound, here 3) while it is disabled; enabled again, it gets the
// failed event first, then the held ones in order, then a webhook.missed event naming the range
// of those past the bound, which a range replay then delivers.

describe('events while an endpoint is disabled', () => {
  const settings = { ...config().webhooks, pollMs: 50, retryBaseMs: 50, timeoutMs: 2_000, retryWindowMs: 300, maxHeldEvents: 3 };
  let dispatcher: WebhookDispatcher;
  const hooks = new WebhookReceiver();

  beforeAll(async () => {
    dispatcher = startWebhookDispatcher(db(), settings, createLogger('silent'));
    await hooks.start();
  });
  afterAll(async () => {
    await dispatcher.stop();
    await hooks.stop();
  });

  const ENDPOINT = `query ($id: ID!) {
    webhookEndpoint(id: $id) {
      enabled missedEvents missedFrom
      deliveries(first: 20) { edges { node { webhookId eventType status data } } }
    }
  }`;

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('holds events up to the bound, resumes where delivery stopped, and names the range past the bound', async () => {
    hooks.respond = () => 500;
    const registration = (
      await run(`mutation ($url: String!) { registerWebhookEndpoint(input: { url: $url, eventTypes: [CONSUMER_CREATED] }) {
        ... on RegisterWebhookEndpointSuccess { registration { secret endpoint { id } } } } }`, { url: hooks.url })
    ).registerWebhookEndpoint.registration;
    const id = registration.endpoint.id;
    const endpoint = () => run(ENDPOINT, { id }).then((data) => data.webhookEndpoint);

    const failing = await createConsumer();
    expect((await until(endpoint, (state) => !state.enabled)).enabled).toBe(false);
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await createConsumer());
    const disabled = await until(endpoint, (state) => state.missedEvents === 2);
    expect(disabled.missedEvents).toBe(2);
    const statuses = disabled.deliveries.edges.map((edge: any) => edge.node.status);
    expect(statuses).toEqual(['PENDING', 'PENDING', 'PENDING', 'FAILED']); // three held, newest first, behind the failed one
    expect(hooks.received).toHaveLength(0);

    hooks.respond = () => 200;
    const enabled = await run(`mutation ($id: ID!) { enableWebhookEndpoint(id: $id) { ... on EnableWebhookEndpointSuccess { endpoint { enabled missedEvents } } } }`, { id });
    expect(enabled.enableWebhookEndpoint.endpoint).toEqual({ enabled: true, missedEvents: 0 });
    const after = await createConsumer();

    const received = (await hooks.waitFor(6)).map((request) => new Webhook(registration.secret).verify(request.body, request.headers) as { type: string; data: any });
    const consumerOf = (event: { type: string; data: any }) => (event.type === 'consumer.created' ? event.data.consumer.id : event.type);
    expect(received.map(consumerOf)).toEqual([failing.id, during[0].id, during[1].id, during[2].id, 'webhook.missed', after.id]);
    const notice = received[4].data;
    expect(notice).toEqual({ endpoint: { id }, missed: { count: 2, from: disabled.missedFrom, to: expect.any(String) } });
    const log = (await endpoint()).deliveries.edges.map((edge: any) => edge.node);
    expect(log.find((delivery: any) => delivery.eventType === 'webhook.missed')).toMatchObject({ status: 'DELIVERED', data: notice });

    // The range the notice names holds the events past the bound (and, at its first instant, possibly a held one again).
    const replay = await run(
      `mutation ($id: ID!, $input: ReplayWebhookEventsInput!) { replayWebhookEvents(id: $id, input: $input) { ... on ReplayWebhookEventsSuccess { replay { queued } } } }`,
      { id, input: { from: notice.missed.from, to: notice.missed.to } },
    );
    expect(replay.replayWebhookEvents.replay.queued).toBeGreaterThanOrEqual(2);
    const all = (await hooks.waitFor(8)).map((request) => JSON.parse(request.body)).map(consumerOf);
    expect(all.slice(6)).toEqual([during[3].id, during[4].id]);
    expect(new Set(all).size).toBe(all.length); // after de-duplication by webhook-id, each event once
  });
});
