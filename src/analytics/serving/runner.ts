import { workerSource } from '../../config/worker-source';
import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { GraphSnapshot } from '../graph/snapshot';
import { AnalyticsBusyError, AnalyticsTimeoutError } from './errors';
import { snapshotMessage } from './store-snapshot';
import type { AnalyticsTask, TaskResult } from './tasks';
import type { WorkerData, WorkerRequest, WorkerResponse } from './worker';

type TaskTimer = (task: AnalyticsTask, seconds: number) => void;

const taskTimers = new Set<TaskTimer>();

/** Calls `timer` with each task's time on the worker (snapshot hand-over included), for monitoring. */
export function onTaskTimed(timer: TaskTimer): () => void {
  taskTimers.add(timer);
  return () => taskTimers.delete(timer);
}

export interface RunnerLimits {
  /** Tasks waiting or running in one lane, at most; more are refused at once. */
  queueLength: number;
  /** A task still running after this many seconds is stopped (its worker with it). */
  budgetSeconds: number;
}

export const DEFAULT_RUNNER_LIMITS: RunnerLimits = { queueLength: 32, budgetSeconds: 60 };

/** What a stopped task's caller is told to try instead. */
export type Advice = (task: AnalyticsTask) => string;

type LaneName = 'cheap' | 'expensive' | 'communities' | 'models';

/**
 * Runs analytics tasks on worker threads, so that PageRank or Louvain on a large graph never
 * blocks the event loop that serves requests. Four lanes, each its own worker running one task
 * at a time: cheap tasks (statistics, degrees) never wait behind expensive ones; rankings never
 * wait behind Louvain, which takes ten times a warm PageRank at scale and, recomputed under a
 * write stream, would stand between every ranking and the next; and none waits behind a
 * recommender's item model, whose build can take seconds.
 *
 * Every lane's thread runs below the request thread (nice 10), and the communities and models
 * lanes lowest (nice 19): on two cores, a ranking asked with consistency LATEST waits for its
 * computation, while Louvain and item models are recomputed in the background, mostly for
 * EVENTUAL questions; a lane at nice 19 still gets a seventh of the CPU one at nice 10 gets.
 */
export class WorkerRunner {
  private readonly lanes: Record<LaneName, Lane>;

  constructor(limits: RunnerLimits = DEFAULT_RUNNER_LIMITS, advice: Advice = () => '') {
    const { PRIORITY_BELOW_NORMAL, PRIORITY_LOW } = constants.priority;
    const lane = (priority: number) => new Lane(limits, advice, priority);
    this.lanes = {
      cheap: lane(PRIORITY_BELOW_NORMAL),
      expensive: lane(PRIORITY_BELOW_NORMAL),
      communities: lane(PRIORITY_LOW),
      models: lane(PRIORITY_LOW),
    };
  }

  /** Tasks run so far: lets tests prove that a cached answer did no graph work. */
  get tasksRun(): number {
    return Object.values(this.lanes).reduce((sum, lane) => sum + lane.tasksRun, 0);
  }

  run<Task extends AnalyticsTask>(snapshot: GraphSnapshot, task: Task): Promise<TaskResult<Task>> {
    return this.lanes[laneOf(task)].run(snapshot, task) as Promise<TaskResult<Task>>;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.lanes).map((lane) => lane.close()));
  }
}

function laneOf(task: AnalyticsTask): LaneName {
  if (task.type === 'itemModel') return 'models';
  if (task.type === 'communities') return 'communities';
  const cheap = task.type === 'statistics' || (task.type === 'centrality' && ['DEGREE', 'WEIGHTED_DEGREE'].includes(task.options.metric));
  return cheap ? 'cheap' : 'expensive';
}

class Lane {
  private worker: Worker | undefined;
  /** Settles when the worker has loaded its code: the budget counts computing, not booting. */
  private ready: Promise<void> = Promise.resolve();
  private heldSnapshot: string | undefined;
  private nextId = 0;
  private waiting = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private queue: Promise<unknown> = Promise.resolve();
  tasksRun = 0;

  constructor(
    private readonly limits: RunnerLimits,
    private readonly advice: Advice,
    private readonly priority: number,
  ) {}

  run(snapshot: GraphSnapshot, task: AnalyticsTask): Promise<unknown> {
    if (this.waiting >= this.limits.queueLength) {
      return Promise.reject(
        new AnalyticsBusyError(`The analytics worker has ${this.waiting} computations queued; retry in a few seconds.`),
      );
    }
    this.waiting++;
    const next = this.queue.then(() => this.send(snapshot, task)).finally(() => this.waiting--);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private async send(snapshot: GraphSnapshot, task: AnalyticsTask): Promise<unknown> {
    const worker = this.ensureWorker();
    await this.ready;
    const started = performance.now();
    const id = this.nextId++;
    const request: WorkerRequest = { id, snapshotKey: snapshot.key, task };
    if (this.heldSnapshot !== snapshot.key) {
      request.snapshot = snapshotMessage(snapshot);
      this.heldSnapshot = snapshot.key;
    }
    this.tasksRun++;
    const result = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(request);
    });
    const budget = setTimeout(() => this.stop(worker, task), this.limits.budgetSeconds * 1000);
    return result.finally(() => {
      clearTimeout(budget);
      const seconds = (performance.now() - started) / 1000;
      for (const timer of taskTimers) timer(task, seconds);
    });
  }

  /** Over budget: the only way to stop a computation is to stop its worker; the next task starts another. */
  private stop(worker: Worker, task: AnalyticsTask): void {
    const what = task.type === 'centrality' ? `${task.options.metric} centrality` : task.type;
    this.fail(new AnalyticsTimeoutError(what, this.limits.budgetSeconds, this.advice(task)));
    void worker.terminate();
  }

  private fail(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    this.worker = undefined;
    this.heldSnapshot = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerSource(__dirname, __filename, 'worker'), { eval: true, workerData: { priority: this.priority } satisfies WorkerData });
    worker.unref();
    this.ready = new Promise((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('exit', (code) => reject(new Error(`The analytics worker stopped with exit code ${code} while starting`)));
    });
    worker.on('message', (response: WorkerResponse | 'ready') => {
      if (response === 'ready') return;
      const waiting = this.pending.get(response.id);
      this.pending.delete(response.id);
      if ('error' in response) waiting?.reject(new Error(`Analytics task failed: ${response.error}`));
      else waiting?.resolve(response.result);
    });
    worker.on('error', (error) => this.worker === worker && this.fail(error));
    worker.on('exit', (code) => {
      if (this.worker === worker && code !== 0) this.fail(new Error(`The analytics worker stopped with exit code ${code}`));
    });
    this.worker = worker;
    return worker;
  }
}

