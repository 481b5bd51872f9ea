import { parentPort } from 'node:worker_threads';
import { type CompactGraph, expandGraph } from '../graph/compact-graph';
import type { RelationGraph } from '../graph/relation-graph';
import { type AnalyticsTask, runTask } from './tasks';

export interface WorkerRequest {
  id: number;
  graphKey: string;
  /** Sent only when the worker does not hold the graph of `graphKey` yet. */
  graph?: CompactGraph;
  task: AnalyticsTask;
}

export type WorkerResponse = { id: number; result: unknown } | { id: number; error: string };

// The worker keeps the last graph it was sent, so that several metrics on one graph version
// pay for moving and rebuilding it once.
let held: { key: string; graph: RelationGraph } | undefined;

parentPort?.on('message', (request: WorkerRequest) => {
  try {
    if (request.graph) held = { key: request.graphKey, graph: expandGraph(request.graph) };
    if (held?.key !== request.graphKey) throw new Error(`the worker does not hold graph ${request.graphKey}`);
    const result = runTask(held.graph, request.task);
    parentPort!.postMessage({ id: request.id, result } satisfies WorkerResponse, transferablesOf(result));
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies WorkerResponse);
  }
});

function transferablesOf(result: object): ArrayBuffer[] {
  return Object.values(result)
    .filter((value): value is Float64Array | Int32Array => ArrayBuffer.isView(value))
    .map((array) => array.buffer as ArrayBuffer);
}
