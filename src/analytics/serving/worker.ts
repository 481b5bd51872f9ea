import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { GraphSnapshot } from '../graph/snapshot';
import { type SnapshotMessage, snapshotFromMessage } from './store-snapshot';
import { type AnalyticsTask, runTask } from './tasks';

export interface WorkerRequest {
  id: number;
  snapshotKey: string;
  /** Sent only when the worker does not hold the snapshot of `snapshotKey` yet; shared, not copied. */
  snapshot?: SnapshotMessage;
  task: AnalyticsTask;
}

/** What a worker is started with: the nice value it runs at (Linux). */
export interface WorkerData {
  priority: number;
}

export type WorkerResponse = { id: number; result: unknown } | { id: number; error: string };

/**
 * Background work yields to the request thread: on Linux a nice value belongs to a thread, and
 * pid 0 names the calling one, so this lowers only this worker (the runner chooses how far, per
 * lane). Rankings and models are computed with whatever CPU requests leave; on two cores, writes
 * and /health no longer queue behind them.
 */
function yieldToRequests(priority: number): void {
  // Elsewhere (macOS, Windows) a nice value is the whole process's: the request thread would yield too.
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, priority);
  } catch {
    // Not permitted or not supported here: the worker runs at the process's priority.
  }
}

yieldToRequests((workerData as WorkerData).priority);

// The worker keeps the last snapshot it was sent, so several questions on one version reuse it.
let held: GraphSnapshot | undefined;

parentPort?.on('message', (request: WorkerRequest) => {
  try {
    if (request.snapshot) held = snapshotFromMessage(request.snapshot);
    if (held?.key !== request.snapshotKey) throw new Error(`the worker does not hold snapshot ${request.snapshotKey}`);
    const result = runTask(held, request.task);
    parentPort!.postMessage({ id: request.id, result } satisfies WorkerResponse, transferablesOf(result));
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies WorkerResponse);
  }
});

parentPort?.postMessage('ready');

function transferablesOf(result: unknown): ArrayBuffer[] {
  if (result === null || typeof result !== 'object') return [];
  return Object.values(result)
    .filter((value): value is Float64Array | Int32Array => ArrayBuffer.isView(value))
    .map((array) => array.buffer as ArrayBuffer);
}
