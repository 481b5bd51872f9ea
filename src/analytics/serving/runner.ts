import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { compactGraph, transferList } from '../graph/compact-graph';
import type { RelationGraph } from '../graph/relation-graph';
import type { AnalyticsTask, TaskResult } from './tasks';
import type { WorkerRequest, WorkerResponse } from './worker';

type TaskTimer = (task: AnalyticsTask, seconds: number) => void;

const taskTimers = new Set<TaskTimer>();

/** Calls `timer` with each task's time on the worker (graph hand-over included), for monitoring. */
export function onTaskTimed(timer: TaskTimer): () => void {
  taskTimers.add(timer);
  return () => taskTimers.delete(timer);
}

/**
 * Runs analytics tasks on a worker thread, one at a time, so that PageRank or Louvain on a large
 * graph never blocks the event loop that serves requests.
 */
export class WorkerRunner {
  private worker: Worker | undefined;
  private heldGraphKey: string | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Tasks run so far: lets tests prove that a cached answer did no graph work. */
  tasksRun = 0;

  /** Runs `task` on `graph`; `strengths`, when given, are the edges' strengths in edge order. */
  run<Task extends AnalyticsTask>(
    graphKey: string,
    graph: RelationGraph,
    task: Task,
    strengths?: Float64Array,
  ): Promise<TaskResult<Task>> {
    const next = this.queue.then(() => this.send(graphKey, graph, task, strengths));
    this.queue = next.catch(() => undefined);
    return next as Promise<TaskResult<Task>>;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private send(graphKey: string, graph: RelationGraph, task: AnalyticsTask, strengths?: Float64Array): Promise<unknown> {
    const started = performance.now();
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const request: WorkerRequest = { id, graphKey, task };
    if (this.heldGraphKey !== graphKey) {
      request.graph = compactGraph(graph, strengths);
      this.heldGraphKey = graphKey;
    }
    this.tasksRun++;
    const result = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(request, request.graph ? transferList(request.graph) : []);
    });
    return result.finally(() => {
      const seconds = (performance.now() - started) / 1000;
      for (const timer of taskTimers) timer(task, seconds);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerSource(), { eval: true });
    worker.unref();
    worker.on('message', (response: WorkerResponse) => {
      const waiting = this.pending.get(response.id);
      this.pending.delete(response.id);
      if ('error' in response) waiting?.reject(new Error(`Analytics task failed: ${response.error}`));
      else waiting?.resolve(response.result);
    });
    const fail = (error: Error) => {
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      this.worker = undefined;
      this.heldGraphKey = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => code !== 0 && fail(new Error(`The analytics worker stopped with exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** Loads worker.ts through tsx when running from TypeScript sources, worker.js when compiled. */
function workerSource(): string {
  const extension = extname(__filename);
  const entry = JSON.stringify(join(__dirname, `worker${extension}`));
  return extension === '.ts' ? `require('tsx/cjs'); require(${entry});` : `require(${entry});`;
}
