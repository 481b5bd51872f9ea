import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type ParsedBatch, csvBatches } from './csv-batches';

/**
 * The import's reading thread: parses and validates the CSV's batches (csv-batches.ts) while the
 * importing thread stores the one before, so that on SQLite, whose writes run on the importing
 * thread, both cores work. It posts a batch only when asked: the importer asks for the next as it
 * takes one, so at most three batches are held (one stored, one posted, one being read).
 */

export interface CsvBatchRequest {
  csvPath: string;
  afterLine: number;
  batchSize: number;
}

export type CsvBatchMessage =
  | { type: 'batch'; batch: ParsedBatch }
  | { type: 'end' }
  | { type: 'error'; name: string; message: string; stack?: string };

/** The message that asks the thread for one more batch. */
export const NEXT_BATCH = 'next';

async function postBatches({ csvPath, afterLine, batchSize }: CsvBatchRequest): Promise<void> {
  const port = parentPort!;
  let asked = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    asked++;
    wake?.();
  });
  const post = (message: CsvBatchMessage) => port.postMessage(message);
  try {
    for await (const batch of csvBatches(csvPath, afterLine, batchSize)) {
      while (asked === 0) await new Promise<void>((resolve) => (wake = resolve));
      asked--;
      post({ type: 'batch', batch });
    }
    post({ type: 'end' });
  } catch (error) {
    const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', name, message, stack });
  }
  port.close();
}

if (!isMainThread && workerData?.csvBatches) void postBatches(workerData.csvBatches as CsvBatchRequest);
