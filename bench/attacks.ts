import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHealthProbe } from './health-probe';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createApiKey } from '../src/auth/keys';
import { defaultKeyFile } from '../src/config';
import { disconnectDb } from '../src/db/client';
import { sqliteFilePath } from '../src/db/dialect';
import { SERVER_SCRIPT, freePort } from '../test/support/server-process';
import { formatTable, relationsArgument } from './cli';
import { benchDatabase } from './databases';

/**
 * The load-type attacks of issue 12, each made with bounded loops against a fresh local server
 * (`npm start`'s entry point, loopback only, default limits), while /health is probed every
 * 5 ms from this process: /health p99 during each attack (target <= 50 ms), the server's peak
 * resident memory above its level before the attack (target: <= 100 MB), and how the server
 * answered. The baseline row is the same probing with no attack.
 *
 *   npx tsx bench/attacks.ts [--relations 20000]
 */

const root = join(__dirname, '..');
const PROBE_INTERVAL_MS = 5;
const BASELINE_MS = 2_000;
const TARGET_P99_MS = 50;
const TARGET_PEAK_MB = 100;
const MB = 1024 * 1024;

interface Keys {
  provider: string;
  consumer: string;
}

interface Attack {
  name: string;
  /** Requests in all, sent by `parallel` loops. */
  requests: number;
  parallel: number;
  /** The request number `index`: body, headers. */
  request: (index: number, keys: Keys) => { body: string; key?: string };
}

const json = (value: unknown) => JSON.stringify(value);

const nestedPages = `query ($n: Int) { ${Array.from(
  { length: 30 },
  (_, index) => `a${index}: relations(first: $n) { edges { node { consumer { relations(first: $n) { edges { node { provider {
    relations(first: $n) { edges { node { id occurredAt } } } } } } } } } } }`,
).join(' ')} }`;

const nestedSimilar = `query ($m: Int) { providers(first: 100) { edges { node { similarProviders(first: $m) { provider {
  similarProviders(first: $m) { provider { similarProviders(first: $m) { provider { name } } } } } } } } } }`;

const ATTACKS: Attack[] = [
  {
    name: '30 aliases of nested pages, sizes as variables (provider key)',
    requests: 60,
    parallel: 4,
    request: (_index, keys) => ({ body: json({ query: nestedPages, variables: { n: 100 } }), key: keys.provider }),
  },
  {
    name: 'nested similarProviders(first: $m) (consumer key)',
    requests: 60,
    parallel: 4,
    request: (_index, keys) => ({ body: json({ query: nestedSimilar, variables: { m: 100 } }), key: keys.consumer }),
  },
  {
    name: 'bad bearer keys',
    requests: 800,
    parallel: 8,
    request: (index) => ({ body: json({ query: '{ viewer { role } }' }), key: `rpk_guess${index}` }),
  },
  {
    name: 'distinct invalid documents (anonymous)',
    requests: 800,
    parallel: 8,
    request: (index) => ({ body: json({ query: `{ providers { edges { node { name${index} } } } }` }) }),
  },
  {
    name: 'distinct valid documents (anonymous)',
    requests: 800,
    parallel: 8,
    request: (index) => ({ body: json({ query: `query Q${index} { providers(first: ${1 + (index % 100)}) { totalCount edges { node { name } } } }` }) }),
  },
  {
    name: '10 MB operation names',
    requests: 8,
    parallel: 2,
    request: (index) => ({ body: json({ query: '{ viewer { role } }', operationName: `N${index}`.padEnd(10 * MB, 'x') }) }),
  },
  {
    name: 'nodes(ids:) with 100,000 IDs',
    requests: 20,
    parallel: 2,
    request: (_index, keys) => ({
      body: json({
        query: 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }',
        variables: { ids: Array.from({ length: 100_000 }, (_, id) => encodeGlobalID('Relation', id + 1)) },
      }),
      key: keys.provider,
    }),
  },
  {
    name: '60,000-character nameContains',
    requests: 200,
    parallel: 4,
    request: () => ({ body: json({ query: 'query ($q: String) { providers(filter: { nameContains: $q }) { totalCount } }', variables: { q: 'a'.repeat(60_000) } }) }),
  },
];

interface Measured {
  name: string;
  seconds: number;
  statuses: Map<number, number>;
  p99: number;
  peakMb: number;
}

async function main(argv = process.argv.slice(2)): Promise<void> {
  const relations = relationsArgument(argv, 20_000);
  const seeded = benchDatabase(relations);
  const folder = mkdtempSync(join(tmpdir(), 'rapport-attacks-'));
  try {
    const file = join(folder, 'attacks.db');
    copyFileSync(sqliteFilePath(seeded), file);
    const env = { DATABASE_URL: `file:${file}`, PII_KEY_FILE: defaultKeyFile(seeded) };
    const keys = await createKeys(env);
    console.log(`Attacks on a local server over ${relations} relations; /health probed every ${PROBE_INTERVAL_MS} ms\n`);
    const rows: Measured[] = [await measure('baseline (no attack)', env, null, keys)];
    for (const attack of ATTACKS) rows.push(await measure(attack.name, env, attack, keys));
    print(rows);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function createKeys(env: Record<string, string>): Promise<Keys> {
  Object.assign(process.env, env);
  const provider = await createApiKey({ role: 'PROVIDER', providerId: 1, label: 'attacks bench' });
  const consumer = await createApiKey({ role: 'CONSUMER', consumerId: 1, label: 'attacks bench' });
  await disconnectDb();
  return { provider: provider.secret, consumer: consumer.secret };
}

/** Runs one attack (or none) against a fresh server, probing /health meanwhile. */
async function measure(name: string, env: Record<string, string>, attack: Attack | null, keys: Keys): Promise<Measured> {
  const port = await freePort();
  const server = await startServer(port, env);
  const agent = new Agent({ keepAlive: true });
  try {
    const resetPeak = () => writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
    await warmUp(port, agent, keys);
    const before = memoryOf(server.pid!).rss;
    resetPeak();
    const probe = startHealthProbe(port, PROBE_INTERVAL_MS);
    const started = performance.now();
    const statuses = attack ? await run(attack, port, keys) : (await sleep(BASELINE_MS), new Map<number, number>());
    const seconds = (performance.now() - started) / 1000;
    const latencies = await probe.stop();
    const peakMb = (memoryOf(server.pid!).peak - before) / MB;
    return { name, seconds, statuses, p99: percentile(latencies, 0.99), peakMb };
  } finally {
    agent.destroy();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

/** A server that has answered some of each kind of request, as a serving one has. */
async function warmUp(port: number, agent: Agent, keys: Keys): Promise<void> {
  for (let round = 0; round < 10; round++) {
    await health(port, agent);
    await send(port, json({ query: '{ viewer { role } }' }), keys.provider);
    await send(port, json({ query: '{ relations(first: 10) { edges { node { id consumer { id } } } } }' }), keys.provider);
    await send(port, json({ query: '{ providers(first: 5) { edges { node { name similarProviders { provider { name } } } } } }' }), keys.consumer);
    await send(port, json({ query: `{ invalid${round} }` }));
  }
}

async function run(attack: Attack, port: number, keys: Keys): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const loop = async () => {
    for (let index = next++; index < attack.requests; index = next++) {
      const { body, key } = attack.request(index, keys);
      const status = await send(port, body, key);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: attack.parallel }, loop));
  return statuses;
}

/** One POST; a connection the server cuts (a refused body) counts as status 0. */
async function send(port: number, body: string, key?: string): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

function health(port: number, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/health', agent }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`/health answered ${response.statusCode}`))));
    }).on('error', reject);
  });
}

/** Resident memory now and at its peak since the last reset (Linux /proc), in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kilobytes('VmRSS'), peak: kilobytes('VmHWM') };
}

async function startServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SERVER_SCRIPT], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn', DEMO_DATA: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).status === 200) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the server did not become ready');
    await sleep(200);
  }
}

function print(rows: Measured[]): void {
  const statusText = (statuses: Map<number, number>) =>
    [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status === 0 ? 'cut' : status}×${count}`).join(' ') || '-';
  const table = [['attack', 's', 'answers', '/health p99 ms', 'peak RSS +MB', 'targets']];
  for (const row of rows) {
    const met = row.p99 <= TARGET_P99_MS && row.peakMb <= TARGET_PEAK_MB;
    table.push([row.name, row.seconds.toFixed(1), statusText(row.statuses), row.p99.toFixed(1), row.peakMb.toFixed(1), met ? 'met' : 'MISSED']);
  }
  console.log(formatTable(table));
  const baseline = rows[0].p99;
  const worst = rows.slice(1).reduce((a, b) => (b.p99 > a.p99 ? b : a));
  console.log(`\nworst /health p99 during an attack / baseline p99: ${(worst.p99 / baseline).toFixed(2)} (${worst.name})`);
  console.log(`targets: /health p99 <= ${TARGET_P99_MS} ms, peak RSS <= +${TARGET_PEAK_MB} MB per attack`);
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
