import { parentPort } from 'node:worker_threads';
import type { GraphSnapshot } from '../graph/snapshot';
import { type AnalyticsTask, runTask } from './tasks';

export interface WorkerRequest {
  id: number;
  snapshotKey: string;
  /** Sent only when the worker does not hold the snapshot of `snapshotKey` yet; shared, not copied. */
  snapshot?: GraphSnapshot;
  task: AnalyticsTask;
}

export type WorkerResponse = { id: number; result: unknown } | { id: number; error: string };

// The worker keeps the last snapshot it was sent, so several questions on one version reuse it.
let held: GraphSnapshot | undefined;

parentPort?.on('message', (request: WorkerRequest) => {
  try {
    if (request.snapshot) held = request.snapshot;
    if (held?.key !== request.snapshotKey) throw new Error(`the worker does not hold snapshot ${request.snapshotKey}`);
    const result = runTask(held, request.task);
    parentPort!.postMessage({ id: request.id, result } satisfies WorkerResponse, transferablesOf(result));
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies WorkerResponse);
  }
});

parentPort?.postMessage('ready');

function transferablesOf(result: object): ArrayBuffer[] {
  return Object.values(result)
    .filter((value): value is Float64Array | Int32Array => ArrayBuffer.isView(value))
    .map((array) => array.buffer as ArrayBuffer);
}
