import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { config } from '../../src/config';
import { db } from '../../src/db/client';
import { type WebhookDispatcher, startWebhookDispatcher } from '../../src/live/webhooks/dispatcher';
import { createLogger } from '../../src/server/logger';
import { createConsumer, createProvider, purchase } from '../support/factories';
import { run } from '../support/graphql';
import { freePort } from '../support/server-process';

// The receiver is a process of its own, killed (SIGKILL) mid-stream after it stored an event but
// before it answered, then started again later on the same port. Rapport sends the unanswered event
// again and everything recorded meanwhile: after de-duplication by webhook-id, the receiver holds
// every event exactly once, in the order written, per provider.

describe('a receiver killed mid-stream', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rapport-receiver-'));
  const file = join(folder, 'received.jsonl');
  let port: number;
  let receiver: ChildProcess | undefined;
  let dispatcher: WebhookDispatcher;

  beforeAll(async () => {
    port = await freePort();
    dispatcher = startWebhookDispatcher(db(), { ...config().webhooks, pollMs: 50, retryBaseMs: 50, timeoutMs: 2_000 }, createLogger('silent'));
  });
  afterAll(async () => {
    await dispatcher.stop();
    receiver?.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });

  async function startReceiver(env: Record<string, string> = {}): Promise<ChildProcess> {
    const child = spawn(process.execPath, [join(__dirname, '..', 'support', 'durable-receiver.mjs')], {
      env: { PATH: process.env.PATH, PORT: String(port), RECEIVED_FILE: file, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve, reject) => {
      child.stdout!.once('data', resolve);
      child.once('exit', reject);
    });
    return child;
  }

  const stored = (): { headers: Record<string, string>; body: string }[] =>
    existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : [];

  async function storedAtLeast(count: number, distinct = false) {
    const deadline = Date.now() + 30_000;
    const size = () => (distinct ? new Set(stored().map((entry) => entry.headers['webhook-id'])).size : stored().length);
    while (size() < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(size()).toBeGreaterThanOrEqual(count);
  }

  it('gets every event exactly once after de-duplication, in order per provider, with a lost answer sent again', async () => {
    const { secret } = (
      await run(`mutation ($url: String!) { registerWebhookEndpoint(input: { url: $url, eventTypes: [RELATION_RECORDED] }) {
        ... on RegisterWebhookEndpointSuccess { registration { secret } } } }`, { url: `http://127.0.0.1:${port}/hooks` })
    ).registerWebhookEndpoint.registration;
    const providers = [await createProvider(), await createProvider()];
    const consumer = await createConsumer();
    const recorded: string[] = [];
    const record = async (count: number) => {
      for (let i = 0; i < count; i++) recorded.push((await purchase(consumer.id, providers[recorded.length % 2].id)).id);
    };

    receiver = await startReceiver({ DIE_AFTER: '5' });
    const died = new Promise((resolve) => receiver!.once('exit', (_code, signal) => resolve(signal)));
    await record(6);
    expect(await died).toBe('SIGKILL');
    await record(6); // while it is down: attempts fail and are retried
    await new Promise((resolve) => setTimeout(resolve, 300));
    receiver = await startReceiver();
    await record(4);
    await storedAtLeast(16, true);

    const entries = stored();
    const ids = entries.map((entry) => entry.headers['webhook-id']);
    expect(ids.filter((id) => id === ids[4])).toHaveLength(2); // stored, unanswered, sent again
    const unique = entries.filter((entry, index) => ids.indexOf(entry.headers['webhook-id']) === index);
    const events = unique.map((entry) => new Webhook(secret).verify(entry.body, entry.headers) as { data: any });
    expect(events.map((event) => event.data.relation.id)).toEqual(recorded);
    for (const provider of providers) {
      const ofProvider = events.filter((event) => event.data.relation.providerId === provider.id).map((event) => event.data.relation.id);
      expect(ofProvider).toEqual(recorded.filter((_id, index) => providers[index % 2] === provider));
    }
  });
});
