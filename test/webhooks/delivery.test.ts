import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { config } from '../../src/config';
import { db } from '../../src/db/client';
import { type WebhookDispatcher, startWebhookDispatcher } from '../../src/live/webhooks/dispatcher';
import { skipWithoutEndpoints } from '../../src/live/webhooks/fan-out';
import { createLogger } from '../../src/server/logger';
import { ERROR_FIELDS, createConsumer, createProvider, purchase } from '../support/factories';
import { execute, keyFor, run } from '../support/graphql';
import { parseId } from '../../src/schema/ids';
import { onPostgres } from '../support/test-database';
import { WebhookReceiver, eventOf } from '../support/webhook-receiver';

// In a describe block so that its afterAll stops the dispatcher before the shared one
// (test/support/close-resources.ts) closes the analytics and the database it uses.
describe('webhooks delivered by the dispatcher', () => {
  // Webhooks end to end in one process: endpoints registered through the API, events delivered by
  // the dispatcher to a real HTTP receiver, signatures checked by the standardwebhooks package.

  const settings = { ...config().webhooks, pollMs: 50, retryBaseMs: 50, timeoutMs: 2_000 };
  let dispatcher: WebhookDispatcher;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    // Prisma loads its query compiler on the first query, which jest allows only inside a hook or test.
    await db().$connect();
    dispatcher = startWebhookDispatcher(db(), settings, createLogger('silent'));
  });
  afterAll(async () => {
    await dispatcher.stop();
    await Promise.all(receivers.map((receiver) => receiver.stop()));
  });

  async function receiver(): Promise<WebhookReceiver> {
    const started = await new WebhookReceiver().start();
    receivers.push(started);
    return started;
  }

  const REGISTER = `mutation ($input: RegisterWebhookEndpointInput!) {
    registerWebhookEndpoint(input: $input) {
      ${ERROR_FIELDS}
      ... on InvalidInputError { issues { field message } }
      ... on RegisterWebhookEndpointSuccess { registration { secret endpoint { id url eventTypes enabled } } }
    }
  }`;

  async function register(input: Record<string, unknown>, key?: string) {
    const data = await run(REGISTER, { input }, { key });
    return data.registerWebhookEndpoint;
  }

  async function registered(url: string, eventTypes: string[], key?: string) {
    const result = await register({ url, eventTypes }, key);
    if (!result.registration) throw new Error(JSON.stringify(result));
    return result.registration as { secret: string; endpoint: { id: string } };
  }

  const DELIVERIES = `query ($id: ID!, $after: String) {
    webhookEndpoint(id: $id) {
      enabled disabledReason
      deliveries(first: 2, after: $after) {
        edges { node { webhookId eventType status attempts lastResponseCode lastResponseExcerpt lastError } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`;

  it('moves past both outboxes in one statement while no endpoint is registered, and not once one is', async () => {
    expect(await db().webhookEndpoint.count()).toBe(0);
    await purchase((await createConsumer()).id, (await createProvider()).id);
    await db().webhookCursor.update({ where: { id: 1 }, data: { position: 0, segmentPosition: 0 } });
    expect(await skipWithoutEndpoints(db())).toBe(true);
    const changes = await db().changeLogEntry.aggregate({ _max: { id: true } });
    const segments = await db().segmentMembershipEvent.aggregate({ _max: { id: true } });
    const cursor = await db().webhookCursor.findUniqueOrThrow({ where: { id: 1 } });
    expect([cursor.position, cursor.segmentPosition]).toEqual([changes._max.id, segments._max.id ?? 0]);
    expect(await db().webhookEvent.count()).toBe(0);

    const hooks = await receiver();
    const { endpoint } = await registered(hooks.url, ['RELATION_RECORDED']);
    try {
      expect(await skipWithoutEndpoints(db())).toBe(false);
    } finally {
      await run(`mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
    }
  });

  // PostgreSQL only: SQLite's writers take the database in turn (transactions begin IMMEDIATE).
  (onPostgres ? it : it.skip)('does not move past an endpoint being registered while it skips: registration holds the cursor row', async () => {
    // A registration as registerWebhookEndpoint makes it, on a session of its own, left open while
    // the skip runs: the skip's statement must see the endpoint once it may take the row.
    const registration = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await registration.connect();
    try {
      await registration.query('BEGIN');
      await registration.query('UPDATE "WebhookCursor" SET "position" = "position" WHERE "id" = 1');
      await registration.query(
        `INSERT INTO "WebhookEndpoint" ("url", "eventTypes", "secret", "updatedAt") VALUES ('https://hooks.example/r', 'RELATION_RECORDED', 'x', now())`,
      );
      const skipping = skipWithoutEndpoints(db());
      await new Promise((resolve) => setTimeout(resolve, 300)); // the skip waits for the row meanwhile
      await registration.query('COMMIT');
      expect(await skipping).toBe(false);
    } finally {
      await registration.end();
      await db().webhookEndpoint.deleteMany({ where: { url: 'https://hooks.example/r' } });
    }
  });

  it('delivers signed events that the standardwebhooks package verifies, in order, each once', async () => {
    const hooks = await receiver();
    const { secret, endpoint } = await registered(hooks.url, ['RELATION_RECORDED', 'CONSUMER_CREATED']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const provider = await createProvider();
    const consumer = await createConsumer();
    const relations = [];
    for (let i = 0; i < 3; i++) relations.push(await purchase(consumer.id, provider.id, { amountMinor: 100 + i }));

    const received = await hooks.waitFor(4);
    const verifier = new Webhook(secret);
    const events = received.map((request) => verifier.verify(request.body, request.headers) as { type: string; data: any });
    expect(events.map((event) => event.type)).toEqual(['consumer.created', 'relation.recorded', 'relation.recorded', 'relation.recorded']);
    expect(events[0].data).toEqual({ consumer: { id: consumer.id } });
    expect(events.slice(1).map((event) => event.data.relation.id)).toEqual(relations.map((relation) => relation.id));
    expect(events[1].data.relation).toMatchObject({ consumerId: consumer.id, providerId: provider.id, kind: 'PURCHASE', amountMinor: 100, currency: 'EUR' });
    // No personal data: the consumer is named by its ID only.
    expect(JSON.stringify(events)).not.toContain('@example.com');
    expect(hooks.received).toHaveLength(4);

    const log = await run(DELIVERIES, { id: endpoint.id });
    expect(log.webhookEndpoint.deliveries.edges).toHaveLength(2);
    expect(log.webhookEndpoint.deliveries.edges[0].node).toMatchObject({ eventType: 'relation.recorded', status: 'DELIVERED', attempts: 1, lastResponseCode: 200, lastResponseExcerpt: 'ok' });
    const next = await run(DELIVERIES, { id: endpoint.id, after: log.webhookEndpoint.deliveries.pageInfo.endCursor });
    expect(next.webhookEndpoint.deliveries.edges).toHaveLength(2);
    expect(next.webhookEndpoint.deliveries.pageInfo.hasNextPage).toBe(false);
  });

  it('sends a provider only its own relations, and refuses it consumer events', async () => {
    const hooks = await receiver();
    const mine = await createProvider();
    const other = await createProvider();
    const providerKey = await keyFor('PROVIDER', mine.id);
    const refused = await register({ url: hooks.url, eventTypes: ['CONSUMER_UPDATED'] }, providerKey);
    expect(refused.__typename).toBe('InvalidInputError');
    expect(refused.issues[0].field).toBe('eventTypes');

    const { secret } = await registered(hooks.url, ['RELATION_RECORDED', 'RELATION_DELETED'], providerKey);
    const consumer = await createConsumer();
    await purchase(consumer.id, other.id);
    const own = await purchase(consumer.id, mine.id);
    await run(`mutation ($id: ID!) { deleteRelation(id: $id) { __typename } }`, { id: own.id });
    await purchase(consumer.id, other.id);
    const marker = await purchase(consumer.id, mine.id);

    const received = await hooks.waitFor(3);
    const events = received.map((request) => new Webhook(secret).verify(request.body, request.headers) as { type: string; data: any });
    expect(events.map((event) => [event.type, event.data.relation.id])).toEqual([
      ['relation.recorded', own.id],
      ['relation.deleted', own.id],
      ['relation.recorded', marker.id],
    ]);
    expect(events.every((event) => event.data.relation.providerId === mine.id)).toBe(true);
  });

  it('retries with backoff, keeps later events waiting behind the failing one, then delivers all in order', async () => {
    const hooks = await receiver();
    let refusals = 3;
    hooks.respond = () => (refusals-- > 0 ? 503 : 200);
    const { endpoint } = await registered(hooks.url, ['RELATION_RECORDED']);
    const provider = await createProvider();
    const consumer = await createConsumer();
    const first = await purchase(consumer.id, provider.id);
    const second = await purchase(consumer.id, provider.id);

    const received = await hooks.waitFor(2);
    expect(received.map((request) => eventOf(request).data.relation.id)).toEqual([first.id, second.id]);
    const log = await run(DELIVERIES, { id: endpoint.id });
    const [newest, oldest] = log.webhookEndpoint.deliveries.edges.map((edge: any) => edge.node);
    expect(oldest).toMatchObject({ status: 'DELIVERED', attempts: 4, lastResponseCode: 200 });
    expect(newest).toMatchObject({ status: 'DELIVERED', attempts: 1 });
  });

  it('disables an endpoint that fails for the whole retry window, keeping what it is owed', async () => {
    // The impatient dispatcher alone: the shared one, with a 24-hour window, could take the
    // attempts and back them off for seconds, never giving up.
    await dispatcher.stop();
    const impatient = startWebhookDispatcher(db(), { ...settings, retryWindowMs: 300 }, createLogger('silent'));
    try {
      const hooks = await receiver();
      hooks.respond = () => 500;
      const { endpoint } = await registered(hooks.url, ['CONSUMER_CREATED']);
      await createConsumer();
      await createConsumer();
      let state: any;
      for (let waited = 0; waited < 100; waited++) {
        state = (await run(DELIVERIES, { id: endpoint.id })).webhookEndpoint;
        if (!state.enabled) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(state.enabled).toBe(false);
      expect(state.disabledReason).toMatch(/failed for .* h \(\d+ attempts; last: HTTP 500\)/);
      const statuses = state.deliveries.edges.map((edge: any) => edge.node.status);
      expect(statuses).toEqual(['PENDING', 'FAILED']);

      // Re-enabled, the receiver gets both events where delivery stopped: the failed one first.
      hooks.respond = () => 200;
      await run(`mutation ($id: ID!) { enableWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
      const [pending, failed] = state.deliveries.edges.map((edge: any) => edge.node.webhookId);
      const received = await hooks.waitFor(2);
      expect(received.map((request) => request.headers['webhook-id'])).toEqual([failed, pending]);
    } finally {
      await impatient.stop();
      dispatcher = startWebhookDispatcher(db(), settings, createLogger('silent'));
    }
  });

  it('gets every event exactly once after de-duplication when the receiver goes down mid-stream and comes back', async () => {
    const hooks = await receiver();
    const { secret } = await registered(hooks.url, ['RELATION_RECORDED']);
    const providers = [await createProvider(), await createProvider()];
    const consumer = await createConsumer();
    const recorded: string[][] = [[], []];
    const record = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const which = i % 2;
        recorded[which].push((await purchase(consumer.id, providers[which].id)).id);
      }
    };
    await record(6);
    await hooks.waitFor(3);
    await hooks.stop();
    await record(6);
    await new Promise((resolve) => setTimeout(resolve, 300)); // attempts fail while it is down
    await hooks.start();
    await record(4);

    const received = await hooks.waitFor(16);
    const events = received.map((request) => new Webhook(secret).verify(request.body, request.headers) as { data: any });
    for (const [which, provider] of providers.entries()) {
      const ofProvider = events.filter((event) => event.data.relation.providerId === provider.id).map((event) => event.data.relation.id);
      expect(ofProvider).toEqual(recorded[which]);
    }
  });

  it('announces consumers’ account events to admin endpoints: updated, merged (with the merged IDs, then the survivor updated), erased', async () => {
    const hooks = await receiver();
    const { secret } = await registered(hooks.url, ['CONSUMER_UPDATED', 'CONSUMER_MERGED', 'CONSUMER_ERASED']);
    const [kept, duplicate] = [await createConsumer({ name: 'Kept Person' }), await createConsumer({ name: 'Duplicate Person' })];
    await run(`mutation ($id: ID!) { updateConsumer(id: $id, input: { marketingConsent: true }) { __typename } }`, { id: kept.id });
    const merged = await run(`mutation ($into: ID!, $from: [ID!]!) { mergeConsumers(into: $into, from: $from) { __typename } }`, { into: kept.id, from: [duplicate.id] });
    expect(merged.mergeConsumers.__typename).toBe('MergeConsumersSuccess');
    await run(`mutation ($id: ID!) { eraseConsumer(id: $id) { __typename } }`, { id: kept.id });

    const events = (await hooks.waitFor(4)).map((request) => new Webhook(secret).verify(request.body, request.headers) as { type: string; data: any });
    const relevant = events.filter((event) => event.data.consumer.id === kept.id);
    expect(relevant.map((event) => event.type)).toEqual(['consumer.updated', 'consumer.merged', 'consumer.updated', 'consumer.erased']);
    expect(relevant[1].data).toEqual({ consumer: { id: kept.id }, merged: [duplicate.id] });
    expect(JSON.stringify(events)).not.toContain('Person');
  });

  it('signs with both secrets during a rotation overlap, and with the new one alone without overlap', async () => {
    const hooks = await receiver();
    const { secret: old, endpoint } = await registered(hooks.url, ['CONSUMER_CREATED']);
    const ROTATE = `mutation ($id: ID!, $hours: Int) {
      rotateWebhookSecret(id: $id, overlapHours: $hours) { ... on RotateWebhookSecretSuccess { rotation { secret endpoint { previousSecretValidUntil } } } }
    }`;
    const rotated = (await run(ROTATE, { id: endpoint.id, hours: 2 })).rotateWebhookSecret.rotation;
    expect(rotated.secret).not.toBe(old);
    expect(new Date(rotated.endpoint.previousSecretValidUntil).getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    await createConsumer();
    const [during] = await hooks.waitFor(1);
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [old, rotated.secret]) expect(() => new Webhook(secret).verify(during.body, during.headers)).not.toThrow();

    const again = (await run(ROTATE, { id: endpoint.id, hours: 0 })).rotateWebhookSecret.rotation;
    await createConsumer();
    const after = (await hooks.waitFor(2))[1];
    expect(() => new Webhook(again.secret).verify(after.body, after.headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(after.body, after.headers)).toThrow();
  });

  it('pings an endpoint at once and logs the answer', async () => {
    const hooks = await receiver();
    const { secret, endpoint } = await registered(hooks.url, ['CONSUMER_CREATED']);
    const ping = await run(`mutation ($id: ID!) { pingWebhookEndpoint(id: $id) { ... on PingWebhookEndpointSuccess { delivery { eventType status lastResponseCode } } } }`, {
      id: endpoint.id,
    });
    expect(ping.pingWebhookEndpoint.delivery).toEqual({ eventType: 'webhook.ping', status: 'DELIVERED', lastResponseCode: 200 });
    const [received] = await hooks.waitFor(1);
    expect((new Webhook(secret).verify(received.body, received.headers) as { type: string }).type).toBe('webhook.ping');
  });

  it('refuses targets on private, link-local and reserved addresses, and checks the address again at delivery', async () => {
    for (const url of ['http://10.1.2.3/hooks', 'http://169.254.169.254/latest', 'http://[::ffff:192.168.0.1]/x', 'http://0.0.0.0/x', 'ftp://example.com/x']) {
      const result = await register({ url, eventTypes: ['CONSUMER_CREATED'] });
      expect(result.__typename).toBe('InvalidInputError');
      expect(result.issues[0].field).toBe('url');
    }
    // Registered while loopback was allowed; delivered by a process that allows no private targets,
    // as when a name resolves elsewhere by delivery time.
    const hooks = await receiver();
    const { endpoint } = await registered(`http://localhost:${hooks.port}/hooks`, ['CONSUMER_CREATED']);
    await dispatcher.stop();
    const strict = startWebhookDispatcher(db(), { ...settings, allowTargets: new Set() }, createLogger('silent'));
    try {
      await createConsumer();
      let delivery: any;
      for (let waited = 0; waited < 100 && !delivery?.lastError; waited++) {
        delivery = (await run(DELIVERIES, { id: endpoint.id })).webhookEndpoint.deliveries.edges[0]?.node;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(delivery.lastError).toMatch(/loopback address, which webhooks may not reach/);
      expect(hooks.received).toHaveLength(0);
    } finally {
      await strict.stop();
      dispatcher = startWebhookDispatcher(db(), settings, createLogger('silent'));
    }
  });

  it('lets a provider manage only its own endpoints, and no consumer any', async () => {
    const owner = await createProvider();
    const stranger = await createProvider();
    const { endpoint } = await registered('http://127.0.0.1:9/hooks', ['RELATION_RECORDED'], await keyFor('PROVIDER', owner.id));
    const strangerKey = await keyFor('PROVIDER', stranger.id);
    const read = await execute(`query ($id: ID!) { webhookEndpoint(id: $id) { url } }`, { id: endpoint.id }, { key: strangerKey });
    expect(read.errors?.[0].extensions?.code).toBe('NotFoundError');
    const disable = await execute(`mutation ($id: ID!) { disableWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id }, { key: strangerKey });
    expect(disable.data?.disableWebhookEndpoint.__typename).toBe('NotFoundError');
    expect((await run(`{ webhookEndpoints { id } }`, {}, { key: strangerKey })).webhookEndpoints).toEqual([]);
    expect((await run(`{ webhookEndpoints { id } }`, {}, { key: await keyFor('PROVIDER', owner.id) })).webhookEndpoints).toEqual([{ id: endpoint.id }]);

    const consumerKey = await keyFor('CONSUMER', (await createConsumer()).id);
    const byConsumer = await execute(`{ webhookEndpoints { id } }`, {}, { key: consumerKey });
    expect(byConsumer.errors?.[0].extensions?.code).toBe('ForbiddenError');
  });

  it('deletes an endpoint for its owner only, with its delivery log, and sends it nothing more', async () => {
    const owner = await createProvider();
    const ownerKey = await keyFor('PROVIDER', owner.id);
    const hooks = await receiver();
    const { endpoint } = await registered(hooks.url, ['RELATION_RECORDED'], ownerKey);
    await purchase((await createConsumer()).id, owner.id);
    await hooks.waitFor(1);

    const DELETE = `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename ... on DeleteWebhookEndpointSuccess { deletion { deletedId } } } }`;
    const byStranger = await run(DELETE, { id: endpoint.id }, { key: await keyFor('PROVIDER', (await createProvider()).id) });
    expect(byStranger.deleteWebhookEndpoint.__typename).toBe('NotFoundError');
    const deleted = await run(DELETE, { id: endpoint.id }, { key: ownerKey });
    expect(deleted.deleteWebhookEndpoint.deletion.deletedId).toBe(endpoint.id);

    expect((await run(`{ webhookEndpoints { id } }`, {}, { key: ownerKey })).webhookEndpoints).toEqual([]);
    expect(await db().webhookDelivery.count({ where: { endpointId: parseId(endpoint.id, 'WebhookEndpoint', 'id') } })).toBe(0);
    await purchase((await createConsumer()).id, owner.id);
    const again = await run(DELETE, { id: endpoint.id }, { key: ownerKey });
    expect(again.deleteWebhookEndpoint.__typename).toBe('NotFoundError');
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few dispatcher rounds
    expect(hooks.received).toHaveLength(1);
  });

  it('announces ranking changes for the metric an endpoint follows, matching the ranking the API reads', async () => {
    const hooks = await receiver();
    const refused = await register({ url: hooks.url, eventTypes: ['RANKING_CHANGED'] });
    expect(refused.issues[0].field).toBe('rankingMetric');
    const { secret } = (await register({ url: hooks.url, eventTypes: ['RANKING_CHANGED'], rankingMetric: 'DEGREE' })).registration;
    const rising = await createProvider();
    await purchase((await createConsumer()).id, rising.id); // the first write only records the ranking
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < 5; i++) await purchase((await createConsumer()).id, rising.id);

    const ranking = await run(`{ providerRanking(metric: DEGREE, first: 10, consistency: LATEST) { entries { rank provider { id } } } }`);
    const expected = { metric: 'DEGREE', entries: ranking.providerRanking.entries.map((entry: any) => ({ rank: entry.rank, providerId: entry.provider.id })) };
    expect(expected.entries[0]).toEqual({ rank: 1, providerId: rising.id });
    const deadline = Date.now() + 20_000;
    let last: any;
    while (Date.now() < deadline) {
      const received = hooks.deduplicated();
      last = received.length > 0 ? new Webhook(secret).verify(received[received.length - 1].body, received[received.length - 1].headers) : undefined;
      if (last && JSON.stringify(last.data) === JSON.stringify(expected)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(last).toMatchObject({ type: 'ranking.changed', data: expected });
  });
});
