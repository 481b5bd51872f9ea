import { Webhook } from 'standardwebhooks';
import { config } from '../../src/config';
import { db } from '../../src/db/client';
import { type WebhookDispatcher, pruneWebhookLog, startWebhookDispatcher } from '../../src/live/webhooks/dispatcher';
import { createLogger } from '../../src/server/logger';
import { createConsumer, createProvider, purchase } from '../support/factories';
import { keyFor, run } from '../support/graphql';
import { WebhookReceiver } from '../support/webhook-receiver';

// segment.entered and segment.exited through the API to real HTTP receivers: a platform segment's
// go to admin endpoints only, a provider's to that provider's endpoints (and admin ones). The
// events are stored with the membership, so a dispatcher that was not running when they were
// decided (a crashed server) still delivers them, each once, in order.

describe('segment entry and exit webhooks', () => {
  const settings = { ...config().webhooks, pollMs: 50, retryBaseMs: 50, timeoutMs: 2_000 };
  let dispatcher: WebhookDispatcher | undefined;
  const receivers: WebhookReceiver[] = [];

  afterAll(async () => {
    await dispatcher?.stop();
    await Promise.all(receivers.map((receiver) => receiver.stop()));
  });

  async function receiver(): Promise<WebhookReceiver> {
    const started = await new WebhookReceiver().start();
    receivers.push(started);
    return started;
  }

  async function registered(url: string, key?: string): Promise<string> {
    const data = await run(
      `mutation ($url: String!) { registerWebhookEndpoint(input: { url: $url, eventTypes: [SEGMENT_ENTERED, SEGMENT_EXITED] }) {
        ... on RegisterWebhookEndpointSuccess { registration { secret } } } }`,
      { url },
      { key },
    );
    return data.registerWebhookEndpoint.registration.secret;
  }

  async function segment(definition: object, key?: string): Promise<string> {
    const data = await run(
      `mutation ($input: SegmentInput!) { createSegment(input: $input) { ... on CreateSegmentSuccess { segment { id } } } }`,
      { input: { name: 'watched', definition } },
      { key },
    );
    return data.createSegment.segment.id;
  }

  /** Reads the member count, which evaluates the segment first: its entries and exits are stored by then. */
  async function evaluated(id: string): Promise<number> {
    return (await run(`query ($id: ID!) { segment(id: $id) { memberCount } }`, { id })).segment.memberCount;
  }

  type Announced = [segment: string, consumer: string, type: string];

  function verified(hooks: WebhookReceiver, secret: string): Announced[] {
    return hooks.deduplicated().map((request) => {
      const event = new Webhook(secret).verify(request.body, request.headers) as { type: string; data: any };
      expect(event.data.entered).toBe(event.type === 'segment.entered');
      expect(Object.keys(event.data).sort()).toEqual(['consumer', 'entered', 'segment']);
      return [event.data.segment.id, event.data.consumer.id, event.type];
    });
  }

  it('announces entries and exits to the endpoints in the segment’s scope, each once, after a restart too', async () => {
    const [shop, other] = [await createProvider(), await createProvider()];
    const shopKey = await keyFor('PROVIDER', shop.id);
    const [admins, shops, others] = [await receiver(), await receiver(), await receiver()];
    const adminSecret = await registered(admins.url);
    const shopSecret = await registered(shops.url, shopKey);
    await registered(others.url, await keyFor('PROVIDER', other.id));

    const platform = await segment({ relations: { provider: shop.id, minCount: 2 } });
    const own = await segment({ relations: { minCount: 1 } }, shopKey);
    const [regular, newcomer] = [await createConsumer({ name: 'Ada Regular' }), await createConsumer({ name: 'Bo Newcomer' })];

    dispatcher = startWebhookDispatcher(db(), settings, createLogger('silent'));
    await purchase(regular.id, shop.id);
    const second = await purchase(regular.id, shop.id);
    expect([await evaluated(platform), await evaluated(own)]).toEqual([1, 1]);
    // No dispatcher runs while the next changes are decided, as when the server crashed: they wait in the outbox.
    await dispatcher.stop();
    dispatcher = undefined;
    await purchase(newcomer.id, shop.id);
    await purchase(newcomer.id, other.id);
    await run(`mutation ($id: ID!) { deleteRelation(id: $id) { __typename } }`, { id: second.id });
    expect(await evaluated(platform)).toBe(0);
    expect(await evaluated(own)).toBe(2);
    dispatcher = startWebhookDispatcher(db(), settings, createLogger('silent'));

    const expectedOwn: Announced[] = [
      [own, regular.id, 'segment.entered'],
      [own, newcomer.id, 'segment.entered'],
    ];
    const expectedPlatform: Announced[] = [
      [platform, regular.id, 'segment.entered'],
      [platform, regular.id, 'segment.exited'],
    ];
    await admins.waitFor(4);
    await shops.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 500)); // time for a duplicate or a stray event to show up, if any
    const toAdmins = verified(admins, adminSecret);
    expect(toAdmins.filter(([id]) => id === own)).toEqual(expectedOwn);
    expect(toAdmins.filter(([id]) => id === platform)).toEqual(expectedPlatform);
    expect(admins.received).toHaveLength(4);
    expect(verified(shops, shopSecret)).toEqual(expectedOwn);
    expect(shops.received).toHaveLength(2);
    expect(others.received).toHaveLength(0);
    // Global IDs only: no name reaches a receiver.
    expect(admins.received.map((request) => request.body).join()).not.toMatch(/Ada|Newcomer/);

    // A provider's range replay resends its own segment's events, never the platform's.
    const [endpoint] = (await run(`{ webhookEndpoints { id } }`, {}, { key: shopKey })).webhookEndpoints;
    const replay = await run(
      `mutation ($id: ID!, $input: ReplayWebhookEventsInput!) { replayWebhookEvents(id: $id, input: $input) { ... on ReplayWebhookEventsSuccess { replay { queued } } } }`,
      { id: endpoint.id, input: { from: new Date(Date.now() - 60_000).toISOString(), to: new Date().toISOString() } },
      { key: shopKey },
    );
    expect(replay.replayWebhookEvents.replay.queued).toBe(2);
  });

  it('announces the exits of a consumer deleted or merged away, whose memberships go with it', async () => {
    const shop = await createProvider();
    const shopKey = await keyFor('PROVIDER', shop.id);
    const hooks = await receiver();
    const secret = await registered(hooks.url, shopKey);
    const own = await segment({ relations: { minCount: 1 } }, shopKey);
    const [leaving, duplicate, kept] = [await createConsumer(), await createConsumer(), await createConsumer()];
    for (const consumer of [leaving, duplicate]) await purchase(consumer.id, shop.id);
    expect(await evaluated(own)).toBe(2);

    await run(`mutation ($id: ID!) { deleteConsumer(id: $id, cascade: true) { __typename } }`, { id: leaving.id });
    await run(`mutation ($into: ID!, $from: [ID!]!) { mergeConsumers(into: $into, from: $from) { __typename } }`, { into: kept.id, from: [duplicate.id] });
    expect(await evaluated(own)).toBe(1); // the survivor, with the merged account's relation

    await hooks.waitFor(5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(verified(hooks, secret)).toEqual([
      [own, leaving.id, 'segment.entered'],
      [own, duplicate.id, 'segment.entered'],
      [own, leaving.id, 'segment.exited'],
      [own, duplicate.id, 'segment.exited'],
      [own, kept.id, 'segment.entered'],
    ]);
    expect(hooks.received).toHaveLength(5);
  });

  it('prunes the outbox rows fanned out a day ago, and keeps those not fanned out yet', async () => {
    const { segmentPosition } = await db().webhookCursor.findUniqueOrThrow({ where: { id: 1 } });
    const fannedOut = () => db().segmentMembershipEvent.count({ where: { id: { lte: segmentPosition } } });
    expect(await fannedOut()).toBe(9); // the entries and exits of the tests above
    // Evaluated past any change the log will reach in this test: never due.
    const waiting = await db().segmentMembershipEvent.create({ data: { segmentId: 1, consumerId: 1, entered: true, afterChange: 2 ** 31 - 1 } });
    try {
      await pruneWebhookLog(db(), Date.now() + 60_000);
      expect(await fannedOut()).toBe(9); // not a day old yet
      await pruneWebhookLog(db(), Date.now() + 25 * 60 * 60 * 1000);
      expect((await db().segmentMembershipEvent.findMany()).map((row) => row.id)).toEqual([waiting.id]);
    } finally {
      await db().segmentMembershipEvent.delete({ where: { id: waiting.id } });
    }
  });
});
