import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { type Client, type ExecutionResult, createClient } from 'graphql-sse';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { revokeApiKey } from '../../src/auth/keys';
import { db } from '../../src/db/client';
import { createConsumer, createProvider, purchase } from '../support/factories';
import { adminKey, app, keyFor, run } from '../support/graphql';

// Subscriptions over Server-Sent Events, through a real HTTP server and graphql-sse's client,
// each subscriber with its own API key.

let server: Server;
let url: string;
const clients: Client[] = [];

beforeAll(async () => {
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}/graphql`;
});

afterAll(async () => {
  for (const client of clients) client.dispose();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const providerKey = async (provider: { id: string }) => keyFor('PROVIDER', provider.id);

/** Subscribes with a key (the admin's by default; null for none) and resolves once the stream is open. */
async function subscribe<Data>(query: string, variables: Record<string, unknown>, key: string | null | undefined = undefined) {
  const secret = key === undefined ? await adminKey() : key;
  const client = createClient({ url, retryAttempts: 0, headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  clients.push(client);
  let connected!: () => void;
  const open = new Promise<void>((resolve) => (connected = resolve));
  const events = client.iterate<Data>({ query, variables }, { connected: () => connected() });
  const first = events.next(); // starts the request
  await Promise.race([open, first]);
  let pending: Promise<IteratorResult<ExecutionResult<Data, unknown>>> | undefined = first;
  return {
    /** The next event, or a failure naming what was awaited after `ms`. */
    async next(ms = 10_000): Promise<ExecutionResult<Data, unknown>> {
      const next = pending ?? events.next();
      pending = undefined;
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms).unref());
      const result = await Promise.race([next, timeout]);
      if (result.done) throw new Error('the subscription ended');
      return result.value;
    },
    close: () => events.return?.(),
  };
}

const RELATION_RECORDED = `subscription ($providerId: ID!) {
  relationRecorded(providerId: $providerId) { id kind amountMinor consumer { name } provider { id } }
}`;

describe('relationRecorded', () => {
  it('streams to a provider the relations recorded with it after subscribing, and none of other providers', async () => {
    const consumer = await createConsumer({ name: 'Watcher' });
    const [watched, other] = [await createProvider(), await createProvider()];
    await purchase(consumer.id, watched.id, { amountMinor: 1 }); // before subscribing: not streamed

    const subscription = await subscribe<{ relationRecorded: Record<string, any> }>(
      RELATION_RECORDED,
      { providerId: watched.id },
      await providerKey(watched),
    );
    await purchase(consumer.id, other.id, { amountMinor: 2 });
    const recorded = await purchase(consumer.id, watched.id, { amountMinor: 3 });
    await purchase(consumer.id, other.id, { amountMinor: 4 });
    await purchase(consumer.id, watched.id, { amountMinor: 5 });

    const first = await subscription.next();
    const second = await subscription.next();
    await subscription.close();

    expect(first).toEqual({
      data: {
        relationRecorded: { id: recorded.id, kind: 'PURCHASE', amountMinor: 3, consumer: { name: 'Watcher' }, provider: { id: watched.id } },
      },
    });
    expect(second.data?.relationRecorded.amountMinor).toBe(5);
  });

  it('refuses another provider’s events, and anonymous subscribers', async () => {
    const [mine, theirs] = [await createProvider(), await createProvider()];
    const snooping = await subscribe(RELATION_RECORDED, { providerId: theirs.id }, await providerKey(mine));
    expect((await snooping.next()).errors?.[0]).toMatchObject({ extensions: { code: 'ForbiddenError' } });
    const anonymous = await subscribe(RELATION_RECORDED, { providerId: theirs.id }, null);
    expect((await anonymous.next()).errors?.[0]).toMatchObject({ extensions: { code: 'AuthenticationError' } });
    const ranking = await subscribe('subscription { rankingChanged(metric: DEGREE) { graphVersion } }', {}, await providerKey(mine));
    expect((await ranking.next()).errors?.[0]).toMatchObject({ extensions: { code: 'ForbiddenError' } });
  });

  it('sends nothing more once the subscriber’s key is revoked', async () => {
    const consumer = await createConsumer();
    const provider = await createProvider();
    const key = await providerKey(provider);
    const subscription = await subscribe<{ relationRecorded: { id: string } }>(RELATION_RECORDED, { providerId: provider.id }, key);
    await purchase(consumer.id, provider.id);
    expect((await subscription.next()).data?.relationRecorded.id).toBeDefined();

    const { id } = await db().apiKey.findFirstOrThrow({ where: { providerId: Number(decodeGlobalID(provider.id).id) } });
    await revokeApiKey(id);
    await purchase(consumer.id, provider.id);
    const after = await subscription.next();
    expect(after.data?.relationRecorded ?? null).toBeNull();
    expect(after.errors?.[0]).toMatchObject({ extensions: { code: 'AuthenticationError' } });
    // The stream ends there: a revoked key holds no connection open.
    await expect(subscription.next(5_000)).rejects.toThrow('the subscription ended');
  });

  it('ends a quiet stream within ten seconds of its key being revoked', async () => {
    const provider = await createProvider();
    const key = await providerKey(provider);
    const subscription = await subscribe<{ relationRecorded: { id: string } }>(RELATION_RECORDED, { providerId: provider.id }, key);
    const { id } = await db().apiKey.findFirstOrThrow({ where: { providerId: Number(decodeGlobalID(provider.id).id) } });
    await revokeApiKey(id);
    expect((await subscription.next(15_000)).errors?.[0]).toMatchObject({ extensions: { code: 'AuthenticationError' } });
    await expect(subscription.next(5_000)).rejects.toThrow('the subscription ended');
  }, 25_000);

  it('caps the streams one key holds open (MAX_STREAMS_PER_KEY, 10 by default)', async () => {
    const provider = await createProvider();
    const key = await providerKey(provider);
    const open = [];
    for (let index = 0; index < 10; index++) open.push(await subscribe(RELATION_RECORDED, { providerId: provider.id }, key));
    const refused = await subscribe(RELATION_RECORDED, { providerId: provider.id }, key);
    expect((await refused.next()).errors?.[0]).toMatchObject({ extensions: { code: 'TOO_MANY_STREAMS' } });

    await open.pop()!.close();
    const consumer = await createConsumer();
    // The server learns of the close from the connection, after the client has moved on: a stream
    // opened meanwhile is still refused, so it is opened again until the slot is free.
    for (const deadline = Date.now() + 5_000; ; ) {
      const reopened = await subscribe<{ relationRecorded: { id: string } }>(RELATION_RECORDED, { providerId: provider.id }, key);
      open.push(reopened);
      await purchase(consumer.id, provider.id);
      const event = await reopened.next();
      if (event.data) {
        expect(event.data.relationRecorded.id).toBeDefined();
        break;
      }
      expect(event.errors?.[0]).toMatchObject({ extensions: { code: 'TOO_MANY_STREAMS' } });
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const subscription of open) await subscription.close();
  });

  it('refuses an ID that names no provider with a typed error', async () => {
    const consumer = await createConsumer();
    const wrongType = await subscribe(RELATION_RECORDED, { providerId: consumer.id });
    expect((await wrongType.next()).errors?.[0]).toMatchObject({
      message: 'Invalid input: providerId: must be the ID of a Provider, but is the ID of a Consumer',
      extensions: { code: 'InvalidInputError' },
    });
    const missing = await subscribe(RELATION_RECORDED, { providerId: encodeGlobalID('Provider', 999_999) });
    expect((await missing.next()).errors?.[0]).toMatchObject({
      message: 'providerId: no provider with this ID exists',
      extensions: { code: 'NotFoundError' },
    });
  });
});

describe('rankingChanged', () => {
  it('streams the ranking when its first entries change after a write, and not when they stay', async () => {
    const consumers = await Promise.all([1, 2, 3, 4].map(() => createConsumer()));
    const leader = await createProvider({ name: 'Leader' });
    const challenger = await createProvider({ name: 'Challenger' });
    await purchase(consumers[0].id, leader.id);
    await purchase(consumers[1].id, leader.id);
    await purchase(consumers[2].id, challenger.id);

    const subscription = await subscribe<{ rankingChanged: { entries: { rank: number; provider: { name: string } }[] } }>(
      `subscription { rankingChanged(metric: DEGREE) { graphVersion entries { rank provider { name } } } }`,
      {},
    );
    const standings = (result: ExecutionResult<{ rankingChanged: { entries: { rank: number; provider: { name: string } }[] } }, unknown>) =>
      result.data!.rankingChanged.entries.filter(({ provider }) => ['Leader', 'Challenger'].includes(provider.name));

    const next = async () =>
      standings(await subscription.next())
        .map(({ rank, provider }) => `${rank}:${provider.name}`)
        .join(' ');

    // The same pair again: degrees, and so the ranking, stay. Its check has run once a query has
    // read the same ranking (the check asked first); an event it sent would come next.
    await purchase(consumers[0].id, leader.id);
    await run('{ providerRanking(metric: DEGREE) { graphVersion } }');

    await purchase(consumers[3].id, challenger.id);
    expect(await next()).toBe('1:Leader 1:Challenger'); // a tie: equal scores share a rank
    await purchase(consumers[1].id, challenger.id);
    expect(await next()).toBe('1:Challenger 2:Leader');
    await subscription.close();
  });
});
