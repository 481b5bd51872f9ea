import { readFileSync, readdirSync } from 'node:fs';
import { generateRelationStore } from '../../src/bulk/synthetic-platform';
import type { CentralityOptions } from '../../src/analytics/graph/centrality';
import { ALL_KINDS_MASK } from '../../src/analytics/graph/snapshot';
import { AnalyticsBusyError, AnalyticsTimeoutError } from '../../src/analytics/serving/errors';
import { FairShare } from '../../src/analytics/serving/fair-share';
import { WorkerRunner } from '../../src/analytics/serving/runner';
import { DEFAULT_METHOD_OPTIONS } from '../../src/analytics/graph/recommender-methods';

// How whole-graph tasks are scheduled: lanes, a bounded queue, a time budget, a share per caller.

// Exact betweenness on this graph takes several seconds: far past the budgets below on any machine.
const snapshot = generateRelationStore({ relations: 50_000, seed: 'scheduling' }).snapshot('synthetic', 1);
const medium = generateRelationStore({ relations: 20_000, seed: 'scheduling' }).snapshot('medium', 1);
const tiny = generateRelationStore({ relations: 20, seed: 'scheduling' }).snapshot('tiny', 1);
const options = (metric: CentralityOptions['metric']): CentralityOptions => ({
  metric,
  weight: 'NONE',
  betweennessExactMaxNodes: 1_000_000,
  closenessExactMaxNodes: 1_000_000,
  samples: 0,
  seed: 'rapport',
});
const betweenness = { type: 'centrality', options: options('BETWEENNESS'), kinds: ALL_KINDS_MASK } as const;
const statistics = { type: 'statistics', kinds: ALL_KINDS_MASK } as const;

let runner: WorkerRunner | undefined;
afterEach(async () => runner?.close());

it('stops a task over its budget with a typed error naming a cheaper metric, and runs the next one', async () => {
  runner = new WorkerRunner({ queueLength: 4, budgetSeconds: 1 }, () => 'ask for PAGERANK instead.');
  const stopped = runner.run(snapshot, betweenness);
  await expect(stopped).rejects.toThrow(AnalyticsTimeoutError);
  await expect(stopped).rejects.toThrow('BETWEENNESS centrality was stopped after its budget of 1 s; ask for PAGERANK instead.');
  const pagerank = await runner.run(tiny, { ...betweenness, options: options('PAGERANK') });
  expect(pagerank.scores).toHaveLength(tiny.ids.length);
});

it('answers cheap questions while an expensive one runs', async () => {
  runner = new WorkerRunner({ queueLength: 4, budgetSeconds: 60 });
  const finished: string[] = [];
  const slow = runner.run(medium, betweenness).then(() => finished.push('betweenness'));
  const quick = runner.run(medium, statistics).then((result) => {
    finished.push('statistics');
    return result;
  });
  expect((await quick).edges).toBe(medium.csr.edgeCount);
  await slow;
  expect(finished).toEqual(['statistics', 'betweenness']);
});

it('answers rankings while communities are computed', async () => {
  runner = new WorkerRunner({ queueLength: 4, budgetSeconds: 60 });
  const pagerank = { ...betweenness, options: options('PAGERANK') };
  const communities = { type: 'communities', options: { resolution: 1, weight: 'NONE', seed: 'rapport' }, kinds: ALL_KINDS_MASK } as const;
  await Promise.all([runner.run(tiny, pagerank), runner.run(tiny, communities)]); // both workers started
  const finished: string[] = [];
  const louvain = runner.run(snapshot, communities).then(() => finished.push('communities'));
  await runner.run(tiny, pagerank).then(() => finished.push('pagerank'));
  await louvain;
  expect(finished).toEqual(['pagerank', 'communities']);
});

/** A thread's nice value, from its /proc stat line (field 19). */
const niceOf = (stat: string) => Number(stat.split(') ')[1].split(' ')[16]);
/** The nice value of each thread of this process (Linux). */
const threadNiceValues = () => readdirSync('/proc/self/task').map((tid) => niceOf(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')));

(process.platform === 'linux' ? it : it.skip)('runs each lane below the request thread, communities and item models lowest, in lanes of their own', async () => {
  const niceBefore = threadNiceValues().filter((nice) => nice > 0);
  runner = new WorkerRunner({ queueLength: 4, budgetSeconds: 60 });
  await runner.run(tiny, statistics);
  await runner.run(tiny, { ...betweenness, options: options('PAGERANK') });
  await runner.run(tiny, { type: 'communities', options: { resolution: 1, weight: 'NONE', seed: 'rapport' }, kinds: ALL_KINDS_MASK });
  await runner.run(tiny, { type: 'itemModel', method: 'ITEM_KNN', methods: DEFAULT_METHOD_OPTIONS, kinds: ALL_KINDS_MASK });
  expect(niceOf(readFileSync('/proc/thread-self/stat', 'utf8'))).toBe(0); // this thread, as the one serving requests
  const added = threadNiceValues().filter((nice) => nice > 0);
  for (const nice of niceBefore) if (added.includes(nice)) added.splice(added.indexOf(nice), 1);
  expect(added.sort((a, b) => a - b)).toEqual([10, 10, 19, 19]);
});

it('refuses at once what the queue cannot take', async () => {
  runner = new WorkerRunner({ queueLength: 1, budgetSeconds: 60 });
  const running = runner.run(tiny, betweenness);
  await expect(runner.run(tiny, betweenness)).rejects.toThrow(AnalyticsBusyError);
  await running;
});

describe('a share per caller', () => {
  it('lets a caller run its share, queues a few more behind its own, and refuses the rest', async () => {
    const shares = new FairShare(1, 1);
    const releaseFirst = await shares.acquire('key:1');
    expect(shares.isFull('key:1')).toBe(true);
    let secondStarted = false;
    const second = shares.acquire('key:1').then((release) => {
      secondStarted = true;
      return release;
    });
    await expect(shares.acquire('key:1')).rejects.toThrow(AnalyticsBusyError);
    const other = await shares.acquire('key:2'); // another caller is not held up
    await Promise.resolve();
    expect(secondStarted).toBe(false);
    releaseFirst();
    (await second)();
    other();
    expect(shares.isFull('key:1')).toBe(false);
  });
});
