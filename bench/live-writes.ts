import { copyFileSync, rmSync } from 'node:fs';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { freePort, startServer, waitUntilServing } from '../test/support/server-process';
import { durationArgument, formatTable, relationsArgument } from './cli';
import { benchAdminKey, benchDatabase } from './databases';
import { startHealthProbe } from './health-probe';

/**
 * Analytics while writes stream in, through the HTTP API of a real server process: a steady
 * stream of recorded relations while clients ask for PageRank rankings (as they come, and with
 * consistency LATEST), communities and recommendations, and a prober calls /health. Prints
 * latency percentiles per question and how stale the EVENTUAL answers were: the time since the
 * oldest write they did not include. /health is probed from a worker thread, so that the
 * clients' own work in this process is not counted as the server's.
 *
 *   npx tsx bench/live-writes.ts [--relations 1000000] [--duration 60] [--writes-per-second 50]
 *
 * Targets (issue 11): ranking p99 <= 100 ms and <= 2 s behind; LATEST p99 <= 1 s; /health p99
 * <= 20 ms.
 */

const HEALTH_EVERY_MS = 10;

interface Series {
  name: string;
  latencies: number[];
}

async function main(argv = process.argv.slice(2)): Promise<void> {
  const relations = relationsArgument(argv, 1_000_000);
  const seconds = durationArgument(argv, 60);
  const rateAt = argv.indexOf('--writes-per-second');
  const writesPerSecond = rateAt >= 0 ? Number(argv[rateAt + 1]) : 50;

  // A copy, so the writes leave the seeded database as it was for the other benchmarks.
  const seeded = benchDatabase(relations).slice('file:'.length);
  const copy = seeded.replace(/\.db$/, `-live-${process.pid}.db`);
  copyFileSync(seeded, copy);
  const port = await freePort();
  const server = startServer({
    DATABASE_URL: `file:${copy}`,
    PORT: String(port),
    DEMO_DATA: 'false',
    GRAPHIQL: 'false',
    RATE_LIMIT_PER_MINUTE: '100000000', // startServer lifts the per-address budgets too
  });
  try {
    const started = performance.now();
    await waitUntilServing(server, 10 * 60_000);
    // The seeded file may hold keys of other benchmarks already: the server then prints none.
    const key = benchAdminKey(`file:${copy}`);
    const api = client(port, key);
    const { graphStats } = await api(`{ graphStats(consistency: LATEST) { consumers providers } }`);
    console.log(
      `Live writes: ${relations} relations (${graphStats.consumers} consumers, ${graphStats.providers} providers), ` +
        `${writesPerSecond} writes/s for ${seconds} s; server ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const ranking = `{ providerRanking(metric: PAGERANK, first: 10) { changesBehind entries { score } } }`;
    await api(ranking.replace('first: 10', 'first: 10, consistency: LATEST')); // the first computation: not a steady-state figure
    await api(`{ communities { count } }`);

    const until = performance.now() + seconds * 1000;
    const acknowledged: number[] = [];
    const staleness: number[] = [];
    const series: Record<string, Series> = {};
    const timed = async (name: string, work: () => Promise<unknown>) => {
      const start = performance.now();
      const result = await work();
      (series[name] ??= { name, latencies: [] }).latencies.push(performance.now() - start);
      return result;
    };
    const loop = async (work: () => Promise<unknown>) => {
      while (performance.now() < until) await work();
    };
    const random = seededRandom(7);
    const consumer = () => encodeGlobalID('Consumer', 1 + Math.floor(random() * graphStats.consumers));
    const provider = () => encodeGlobalID('Provider', 1 + Math.floor(random() * graphStats.providers));

    const probe = startHealthProbe(port, HEALTH_EVERY_MS);
    await Promise.all([
      writer(writesPerSecond, until, async () => {
        await timed('recordRelation', () =>
          api(`mutation ($input: RecordRelationInput!) { recordRelation(input: $input) { __typename } }`, {
            input: { consumerId: consumer(), providerId: provider(), kind: 'FAVORITE' },
          }),
        );
        acknowledged.push(performance.now());
      }),
      loop(async () => {
        const asked = performance.now();
        const data: any = await timed('providerRanking EVENTUAL', () => api(ranking));
        const behind = data.providerRanking.changesBehind as number;
        // The oldest write the answer lacks was acknowledged `behind` writes before the last one seen.
        const missing = acknowledged.length - behind;
        staleness.push(behind === 0 || missing < 0 ? 0 : Math.max(0, asked - acknowledged[missing]));
      }),
      loop(() => timed('providerRanking LATEST', () => api(ranking.replace('first: 10', 'first: 10, consistency: LATEST')))),
      loop(() => timed('communities EVENTUAL', () => api(`{ communities { count modularity } }`))),
      loop(() =>
        timed('recommendedProviders', () =>
          api(`query ($id: ID!) { consumer(id: $id) { recommendedProviders(first: 10) { score } } }`, { id: consumer() }),
        ),
      ),
    ]);
    series['/health'] = { name: '/health', latencies: await probe.stop() };

    const rows = [['request', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms']];
    for (const { name, latencies } of Object.values(series)) rows.push([name, String(latencies.length), ...percentiles(latencies)]);
    rows.push(['staleness of EVENTUAL rankings', String(staleness.length), ...percentiles(staleness)]);
    console.log(`\n${formatTable(rows)}\n`);
    console.log(`writes acknowledged: ${acknowledged.length} (${(acknowledged.length / seconds).toFixed(1)}/s)`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    for (const suffix of ['', '-wal', '-shm', '.graph']) rmSync(copy + suffix, { force: true });
  }
}

/** Writes in flight at most: a steady rate does not wait for each write, but a stalled server is not buried. */
const MAX_WRITES_IN_FLIGHT = 16;

/** Starts `write` at a steady rate until `until`, as clients would, without waiting for the previous one. */
async function writer(perSecond: number, until: number, write: () => Promise<void>): Promise<void> {
  const interval = 1000 / perSecond;
  const inFlight = new Set<Promise<void>>();
  for (let next = performance.now(); next < until; next += interval) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= MAX_WRITES_IN_FLIGHT) await Promise.race(inFlight);
    const writing = write().finally(() => inFlight.delete(writing));
    inFlight.add(writing);
  }
  await Promise.all(inFlight);
}

function client(port: number, key: string) {
  return async (query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
}

function percentiles(values: number[]): string[] {
  if (values.length === 0) return ['-', '-', '-', '-'];
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
  return [at(0.5), at(0.95), at(0.99), sorted[sorted.length - 1]].map((ms) => ms.toFixed(1));
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
