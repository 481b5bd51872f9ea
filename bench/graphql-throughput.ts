import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeGlobalID } from '@pothos/plugin-relay';
import autocannon from 'autocannon';
import seedrandom from 'seedrandom';
import { defaultKeyFile } from '../src/config';
import { SERVER_SCRIPT, freePort } from '../test/support/server-process';
import { durationArgument, formatTable, relationsArgument } from './cli';
import { benchAdminKey, benchDatabase } from './databases';

/**
 * The per-request cost of the API: throughput and latency of a consumer-with-relations query
 * through the server (`npm start`, with an admin API key), against two bare node:http handlers
 * making the same reads: one through Prisma (bench/plain-http-server.ts), one through the driver
 * with prepared statements (bench/raw-driver-server.ts), the floor. The server runs with its
 * response cache (as deployed; the consumers asked for repeat, so most answers are hits) and
 * without (RESPONSE_CACHE=false: every answer read from the database), that last also with
 * NODE_ENV=production, as a deployment runs it. Then `{ __typename }` with
 * the key and without the cache: the cost of the request path alone. Each server runs alone in its own process;
 * autocannon drives it over loopback from this one.
 *
 *   npx tsx bench/graphql-throughput.ts [--relations N] [--duration SECONDS]
 *   (a quick check on a fresh clone: --relations 2000 --duration 1)
 */

const root = join(__dirname, '..');
const CONNECTIONS = 10;
const ROUNDS = 2;
const FIRST = 20;
const QUERY = `query Consumer($id: ID!) {
  consumer(id: $id) {
    name email
    relations(first: ${FIRST}) { edges { node { id kind occurredAt amountMinor currency rating provider { name } } } }
  }
}`;
/**
 * Before each timed round a server answers this many requests per second of the round, untimed,
 * the same number for every server. The GraphQL server's JIT takes some 5,000 requests to settle
 * (in 3 s slices from a cold start: 262, 354, 464, 554 req/s, then 500–740, at 4.8 ms of CPU a
 * request falling to 1.4–1.7 ms), the raw handler's a few hundred: a warm-up of fixed seconds
 * (it was 2 s) timed mostly the GraphQL server's warming, not the per-request path a running
 * server pays.
 */
const WARM_UP_REQUESTS_PER_SECOND = 1_500;
const TYPENAME = JSON.stringify({ query: '{ __typename }' });
/** The rate limiter still counts every request, but a load test must not trip it. */
// The load comes from one address with one key: the server's per-address and per-key budgets are lifted.
const SERVER_ENV = {
  LOG_LEVEL: 'warn',
  DEMO_DATA: 'false',
  RATE_LIMIT_PER_MINUTE: String(1e9),
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: String(1e9),
  CONCURRENT_REQUESTS_PER_ADDRESS: '1000',
};

interface Result {
  requests: number;
  p50: number;
  p99: number;
}

interface Target {
  script: string;
  env?: Record<string, string>;
  /** The providers of consumer 1's newest relations, newest first: all targets must agree. */
  answer?: (port: number) => Promise<string>;
  request: (port: number) => autocannon.Options;
}

type Relation = { occurredAt: string; provider: { name: string } };
const summary = (relations: Relation[]) => relations.map((relation) => `${relation.occurredAt} ${relation.provider.name}`).join('\n');

function targets(secret: string, consumers: number, piiKeys: string): Record<string, Target> {
  const random = seedrandom('throughput');
  const consumerId = () => 1 + Math.floor(random() * consumers);
  const graphqlHeaders = { 'content-type': 'application/json', authorization: `Bearer ${secret}` };
  const post = (port: number, body: string) => fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: graphqlHeaders, body });
  const handler = (script: string): Target => ({
    script,
    answer: async (port) => {
      const response = await fetch(`http://127.0.0.1:${port}/consumer?id=1&first=${FIRST}`);
      return summary((await response.json()).data.consumer.relations);
    },
    request: (port) => ({
      url: `http://127.0.0.1:${port}`,
      requests: [{ setupRequest: (request) => ({ ...request, path: `/consumer?id=${consumerId()}&first=${FIRST}` }) }],
    }),
  });
  const graphql: Target = {
    script: SERVER_SCRIPT,
    answer: async (port) => {
      const { data, errors } = await (await post(port, graphqlBody(1))).json();
      if (errors) throw new Error(`graphql: ${JSON.stringify(errors)}`);
      return summary(data.consumer.relations.edges.map((edge: { node: Relation }) => edge.node));
    },
    request: (port) => ({
      url: `http://127.0.0.1:${port}/graphql`,
      method: 'POST',
      headers: graphqlHeaders,
      requests: [{ setupRequest: (request) => ({ ...request, body: graphqlBody(consumerId()) }) }],
    }),
  };
  const uncached = { RESPONSE_CACHE: 'false' };
  return {
    graphql,
    'graphql uncached': { ...graphql, env: uncached },
    // As a deployment runs it: graphql-js and Pothos skip their development checks.
    'graphql uncached, production': { ...graphql, env: { ...uncached, NODE_ENV: 'production', PII_KEYS: piiKeys } },
    prisma: handler('bench/plain-http-server.ts'),
    raw: handler('bench/raw-driver-server.ts'),
    typename: {
      script: SERVER_SCRIPT,
      env: uncached,
      request: (port) => ({ url: `http://127.0.0.1:${port}/graphql`, method: 'POST', headers: graphqlHeaders, body: TYPENAME }),
    },
  };
}

async function main(argv = process.argv.slice(2)): Promise<void> {
  const relations = relationsArgument(argv, 100_000);
  const duration = durationArgument(argv, 10);
  const warmUpRequests = Math.round(WARM_UP_REQUESTS_PER_SECOND * duration);
  const databaseUrl = benchDatabase(relations);
  const secret = benchAdminKey(databaseUrl);
  // The synthetic platform has one consumer per ten relations; the first thousand are asked for.
  // Production refuses the key file beside the database: the same keys, passed as PII_KEYS.
  const piiKeys = readFileSync(defaultKeyFile(databaseUrl), 'utf8').trim();
  const all = targets(secret, Math.min(1000, Math.max(1, Math.round(relations / 10))), piiKeys);
  const results: Record<string, Result[]> = Object.fromEntries(Object.keys(all).map((name) => [name, []]));
  const answers = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, target] of Object.entries(all)) {
      const port = await freePort();
      const server = await startProcess(target.script, { ...SERVER_ENV, ...target.env, DATABASE_URL: databaseUrl, PORT: String(port) }, port);
      try {
        if (target.answer) answers.add(await target.answer(port));
        if (answers.size > 1) throw new Error(`${name} disagrees with the others on consumer 1's relations`);
        await autocannon({ ...target.request(port), connections: CONNECTIONS, amount: warmUpRequests });
        const run = await autocannon({ ...target.request(port), connections: CONNECTIONS, duration });
        if (run.non2xx > 0 || run.errors > 0) throw new Error(`${name}: ${run.non2xx} non-2xx responses, ${run.errors} errors`);
        results[name].push({ requests: run.requests.average, p50: run.latency.p50, p99: run.latency.p99 });
      } finally {
        server.kill('SIGTERM');
        await new Promise((resolve) => server.once('exit', resolve));
      }
    }
  }
  report(results, relations, duration, warmUpRequests);
}

function report(results: Record<string, Result[]>, relations: number, duration: number, warmUpRequests: number): void {
  const span = (values: number[], decimals = 0) =>
    values.length > 1 ? `${Math.min(...values).toFixed(decimals)}–${Math.max(...values).toFixed(decimals)}` : values[0].toFixed(decimals);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const rows = [['server', 'req/s', 'p50 ms', 'p99 ms']];
  for (const [name, runs] of Object.entries(results)) {
    rows.push([name, span(runs.map((r) => r.requests)), span(runs.map((r) => r.p50)), span(runs.map((r) => r.p99))]);
  }
  const rate = (name: string) => mean(results[name].map((r) => r.requests));
  console.log(`Consumer with ${FIRST} relations (graphql with and without its response cache, prisma, raw) and { __typename }`);
  console.log(`(typename, response cache off: the request path alone), all with an admin key;`);
  console.log(`${relations} relations, ${CONNECTIONS} connections, ${duration} s x ${ROUNDS} rounds each after ${warmUpRequests} requests of warm-up (ranges over rounds)\n`);
  console.log(formatTable(rows));
  const ratio = (over: string, under: string) => `${over} / ${under} x${(rate(over) / rate(under)).toFixed(2)}`;
  console.log(`\nthroughput: ${['graphql', 'graphql uncached', 'graphql uncached, production', 'prisma'].map((name) => ratio(name, 'raw')).join(', ')}, ${ratio('typename', 'raw')}`);
}

function graphqlBody(id: number): string {
  return JSON.stringify({ query: QUERY, variables: { id: encodeGlobalID('Consumer', id) } });
}

/** Starts a script (TypeScript under tsx's loader) and waits until it answers on `port`. */
async function startProcess(script: string, env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, script.endsWith('.ts') ? ['--import', 'tsx', script] : [script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return child;
    } catch {
      if (Date.now() > deadline) throw new Error(`${script} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
