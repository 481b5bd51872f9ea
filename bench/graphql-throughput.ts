import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { encodeGlobalID } from '@pothos/plugin-relay';
import autocannon from 'autocannon';
import seedrandom from 'seedrandom';
import { freePort } from '../test/support/server-process';
import { durationArgument, formatTable, relationsArgument } from './cli';
import { benchDatabase } from './databases';

/**
 * GraphQL's overhead: throughput and latency of a consumer-with-relations query through the
 * server (`npm start`), against a bare node:http handler making the same database reads
 * (bench/plain-http-server.ts). Each server runs alone in its own process; autocannon drives it
 * over loopback from this one.
 *
 *   npx tsx bench/graphql-throughput.ts [--relations N] [--duration SECONDS]
 */

const root = join(__dirname, '..');
const CONNECTIONS = 10;
const ROUNDS = 2;
const FIRST = 20;
const CONSUMERS = 1000;
const QUERY = `query Consumer($id: ID!) {
  consumer(id: $id) {
    name email
    relations(first: ${FIRST}) { edges { node { id kind occurredAt amountMinor currency rating provider { name } } } }
  }
}`;

interface Result {
  requests: number;
  p50: number;
  p99: number;
}

async function main(argv = process.argv.slice(2)): Promise<void> {
  const relations = relationsArgument(argv, 100_000);
  const duration = durationArgument(argv, 10);
  const databaseUrl = benchDatabase(relations);
  const random = seedrandom('throughput');
  const consumerId = () => 1 + Math.floor(random() * CONSUMERS);

  const targets = {
    graphql: {
      script: 'src/server/main.ts',
      relationsOfConsumer1: async (port: number) => {
        const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: graphqlBody(1) });
        return (await response.json()).data.consumer.relations.edges.length as number;
      },
      request: (port: number): autocannon.Options => ({
        url: `http://127.0.0.1:${port}/graphql`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (request) => ({ ...request, body: graphqlBody(consumerId()) }) }],
      }),
    },
    plain: {
      script: 'bench/plain-http-server.ts',
      relationsOfConsumer1: async (port: number) => {
        const response = await fetch(`http://127.0.0.1:${port}/consumer?id=1&first=${FIRST}`);
        return (await response.json()).data.consumer.relations.length as number;
      },
      request: (port: number): autocannon.Options => ({
        url: `http://127.0.0.1:${port}`,
        requests: [{ setupRequest: (request) => ({ ...request, path: `/consumer?id=${consumerId()}&first=${FIRST}` }) }],
      }),
    },
  };
  const results: Record<keyof typeof targets, Result[]> = { graphql: [], plain: [] };
  const answers = new Set<number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, target] of Object.entries(targets) as [keyof typeof targets, (typeof targets)['graphql']][]) {
      const port = await freePort();
      const server = await startProcess(target.script, { DATABASE_URL: databaseUrl, PORT: String(port), LOG_LEVEL: 'warn', DEMO_DATA: 'false' }, port);
      try {
        // Both answer the same question, so that the comparison is fair.
        answers.add(await target.relationsOfConsumer1(port));
        if (answers.size > 1) throw new Error(`the two servers disagree on consumer 1's relations: ${[...answers].join(' vs ')}`);
        await autocannon({ ...target.request(port), connections: CONNECTIONS, duration: 2 }); // warm-up
        const run = await autocannon({ ...target.request(port), connections: CONNECTIONS, duration });
        if (run.non2xx > 0 || run.errors > 0) throw new Error(`${name}: ${run.non2xx} non-2xx responses, ${run.errors} errors`);
        results[name].push({ requests: run.requests.average, p50: run.latency.p50, p99: run.latency.p99 });
      } finally {
        server.kill('SIGTERM');
        await new Promise((resolve) => server.once('exit', resolve));
      }
    }
  }

  const span = (values: number[], decimals = 0) =>
    values.length > 1 ? `${Math.min(...values).toFixed(decimals)}–${Math.max(...values).toFixed(decimals)}` : values[0].toFixed(decimals);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const rows = [['server', 'req/s', 'p50 ms', 'p99 ms']];
  for (const name of ['graphql', 'plain'] as const) {
    rows.push([name, span(results[name].map((r) => r.requests)), span(results[name].map((r) => r.p50)), span(results[name].map((r) => r.p99))]);
  }
  const ratio = (pick: (result: Result) => number) => mean(results.graphql.map(pick)) / mean(results.plain.map(pick));
  console.log(`GraphQL vs plain node:http, ${relations} relations, ${CONNECTIONS} connections, ${duration} s x ${ROUNDS} rounds each (ranges over rounds)\n`);
  console.log(formatTable(rows));
  console.log(
    `\nGraphQL / plain: throughput x${ratio((r) => r.requests).toFixed(2)}, p50 x${ratio((r) => r.p50).toFixed(2)}, p99 x${ratio((r) => r.p99).toFixed(2)}`,
  );
}

function graphqlBody(id: number): string {
  return JSON.stringify({ query: QUERY, variables: { id: encodeGlobalID('Consumer', id) } });
}

/** Starts a script under tsx's loader and waits until it answers on `port`. */
async function startProcess(script: string, env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
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
