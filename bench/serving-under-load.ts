import { Agent, createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { CentralityOptions } from '../src/analytics/graph/centrality';
import { ALL_KINDS_MASK } from '../src/analytics/graph/snapshot';
import { WorkerRunner } from '../src/analytics/serving/runner';
import { type CommunityOptions, runTask } from '../src/analytics/serving/tasks';
import { RelationStore } from '../src/analytics/serving/store';
import { createApp } from '../src/server/app';
import { createLogger } from '../src/server/logger';
import { durationArgument, formatTable, relationsArgument } from './cli';
import { generateRelationStore } from '../src/bulk/synthetic-platform';

/**
 * Does the server keep answering while PageRank or Louvain runs on a large graph? /health
 * latency alone, then during analytics on the worker thread, then (the contrast the worker
 * exists to avoid) during PageRank inline on the event loop.
 *
 *   npx tsx bench/serving-under-load.ts [--relations 1000000]
 *
 * At 1M relations the process peaks near 1.2 GB resident, inside Node's default heap limit; for
 * several million, raise it: NODE_OPTIONS=--max-old-space-size=8192.
 *
 * The client runs in the same process as the server, so a blocked event loop stalls both: a
 * request is timed from when it was due, which makes a stall show as latency.
 */

const WARMUP_REQUESTS = 500;
const INLINE_TICK_MS = 10;
const INLINE_MARGIN_MS = 1_000;
const LOOP_SAMPLING_MS = 1;
// The histogram records nothing until its timer has run once; a stall before that would go unseen.
const LOOP_MONITOR_SETTLE_MS = 20;
const PAGERANK: CentralityOptions = {
  metric: 'PAGERANK',
  weight: 'COUNT',
  betweennessExactMaxNodes: 0,
  closenessExactMaxNodes: 0,
  samples: 0,
  seed: 'rapport',
};
const LOUVAIN: CommunityOptions = { resolution: 1, weight: 'COUNT', seed: 'rapport' };

interface Phase {
  name: string;
  /** How long the analytics task took, as the caller saw it; null for the baseline. */
  taskMs: number | null;
  latencies: number[];
  loopDelay: IntervalHistogram;
}

type Health = () => Promise<void>;

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const relations = relationsArgument(argv, 1_000_000);
  const baselineMs = durationArgument(argv, 3) * 1000;
  const built = performance.now();
  const graph = generateRelationStore({ relations, seed: 'rapport' });
  console.log(
    `Serving under load: ${graph.order} nodes, ${graph.size} edges (${relations} relations), built in ${seconds(performance.now() - built)}`,
  );

  const server = await listen();
  const agent = new Agent({ keepAlive: true });
  const health = healthClient(server, agent);
  const runner = new WorkerRunner();
  const snapshot = graph.snapshot('synthetic', 1);
  const all = { kinds: ALL_KINDS_MASK };
  try {
    await sequentially(health, countdown(WARMUP_REQUESTS));
    // A server's worker outlives any one task; start it now so that its boot is not timed.
    await runner.run(new RelationStore().snapshot('warm-up', 0), { type: 'statistics', ...all });
    const base = await baseline(health, baselineMs);
    const pagerank = await duringWorkerTask('worker PageRank (snapshot sent)', health, () =>
      runner.run(snapshot, { type: 'centrality', options: PAGERANK, ...all }),
    );
    // The same again with the snapshot held: splits handing it over from computing.
    const heldPagerank = await duringWorkerTask('worker PageRank (snapshot held)', health, () =>
      runner.run(snapshot, { type: 'centrality', options: PAGERANK, ...all }),
    );
    const louvain = await duringWorkerTask('worker Louvain (snapshot held)', health, () =>
      runner.run(snapshot, { type: 'communities', options: LOUVAIN, ...all }),
    );
    const inline = await duringInlineTask('inline PageRank', health, () => runTask(snapshot, { type: 'centrality', options: PAGERANK, ...all }));
    console.log(`\n${formatTable([HEADER, ...[base, pagerank, heldPagerank, louvain, inline].map(row)])}\n`);
    printRatios({ base, pagerank, louvain, inline });
  } finally {
    await runner.close();
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function baseline(health: Health, baselineMs: number): Promise<Phase> {
  const loopDelay = await startLoopMonitor();
  const until = performance.now() + baselineMs;
  const latencies = await sequentially(health, () => performance.now() >= until);
  loopDelay.disable();
  return { name: 'baseline', taskMs: null, latencies, loopDelay };
}

async function duringWorkerTask(name: string, health: Health, run: () => Promise<unknown>): Promise<Phase> {
  const loopDelay = await startLoopMonitor();
  const started = performance.now();
  let taskMs: number | null = null;
  const task = run().finally(() => (taskMs = performance.now() - started));
  const latencies = await sequentially(health, () => taskMs !== null);
  await task;
  loopDelay.disable();
  return { name, taskMs, latencies, loopDelay };
}

async function duringInlineTask(name: string, health: Health, compute: () => unknown): Promise<Phase> {
  const loopDelay = await startLoopMonitor();
  const ticker = startTicker(health, INLINE_TICK_MS);
  await sleep(INLINE_MARGIN_MS);
  const started = performance.now();
  compute();
  const taskMs = performance.now() - started;
  await sleep(INLINE_MARGIN_MS);
  const latencies = await ticker.stop();
  loopDelay.disable();
  return { name, taskMs, latencies, loopDelay };
}

/** One request at a time, each timed from sending to the end of the response, until `done`. */
async function sequentially(health: Health, done: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  while (!done()) {
    const sent = performance.now();
    await health();
    latencies.push(performance.now() - sent);
  }
  return latencies;
}

/**
 * A request every `intervalMs`, each timed from when it was due, so a stalled event loop counts
 * against the request that should have gone out during the stall. Missed ticks are not replayed.
 */
function startTicker(health: Health, intervalMs: number) {
  const requests: Promise<number>[] = [];
  let dueAt = performance.now();
  let timer: NodeJS.Timeout;
  const tick = () => {
    const due = dueAt;
    requests.push(health().then(() => performance.now() - due));
    dueAt = Math.max(due + intervalMs, performance.now());
    timer = setTimeout(tick, dueAt - performance.now());
  };
  tick();
  return {
    stop: (): Promise<number[]> => {
      clearTimeout(timer);
      return Promise.all(requests);
    },
  };
}

function healthClient(server: Server, agent: Agent): Health {
  const { port } = server.address() as AddressInfo;
  return () =>
    new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/health', agent }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`/health answered ${response.statusCode}`))));
      }).on('error', reject);
    });
}

function listen(): Promise<Server> {
  const server = createServer(createApp({ logger: createLogger('silent'), production: false }));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function startLoopMonitor(): Promise<IntervalHistogram> {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_SAMPLING_MS });
  histogram.enable();
  await sleep(LOOP_MONITOR_SETTLE_MS);
  return histogram;
}

const HEADER = ['phase', 'task', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'loop stall p99 ms', 'loop stall max ms'];

function row(phase: Phase): string[] {
  return [
    phase.name,
    phase.taskMs === null ? '-' : seconds(phase.taskMs),
    String(phase.latencies.length),
    percentile(phase.latencies, 0.5).toFixed(2),
    percentile(phase.latencies, 0.99).toFixed(2),
    percentile(phase.latencies, 1).toFixed(1),
    loopStallMs(phase.loopDelay.percentile(99)).toFixed(1),
    loopStallMs(phase.loopDelay.max).toFixed(1),
  ];
}

function printRatios({ base, pagerank, louvain, inline }: Record<'base' | 'pagerank' | 'louvain' | 'inline', Phase>): void {
  const p99 = (phase: Phase) => percentile(phase.latencies, 0.99);
  const stall = (phase: Phase) => loopStallMs(phase.loopDelay.max);
  console.log(`worker PageRank p99 / baseline p99: ${(p99(pagerank) / p99(base)).toFixed(2)}`);
  console.log(`worker Louvain p99 / baseline p99:  ${(p99(louvain) / p99(base)).toFixed(2)}`);
  console.log(`inline stall / worker PageRank stall: ${(stall(inline) / stall(pagerank)).toFixed(1)}`);
  console.log(`inline stall / worker Louvain stall:  ${(stall(inline) / stall(louvain)).toFixed(1)}`);
}

/** The histogram records the time between its timer's runs: the sampling interval plus the stall. */
function loopStallMs(nanoseconds: number): number {
  return Math.max(0, nanoseconds / 1e6 - LOOP_SAMPLING_MS);
}

/** Nearest-rank percentile; `fraction` 1 is the maximum. */
function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

function countdown(count: number): () => boolean {
  return () => count-- <= 0;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
