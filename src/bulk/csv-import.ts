import { on } from 'node:events';
import { appendFileSync, existsSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { config } from '../config';
import { workerSource } from '../config/worker-source';
import { type BulkWriter, openBulkWriter, restoreDeferredIndexes } from '../db/bulk-writer';
import { type PartyCache, batchCommitted, emptyPartyCache, storeImportBatch } from '../domain/imports';
import { type CsvBatchMessage, type CsvBatchRequest, NEXT_BATCH } from './csv-batch-thread';
import { ImportFileError, type ParsedBatch, type RejectedRow } from './csv-batches';
import { Checkpoint, type ImportPosition, START } from './checkpoint';

export { ImportFileError, type RejectedRow } from './csv-batches';

/**
 * Imports a relations CSV (`consumer,provider,kind,occurredAt,amount,currency,rating`) in
 * batches, one transaction each, streaming the file. Bad rows are reported with their line
 * number and written to `<file>.rejects`; good rows around them are stored. A checkpoint next
 * to the file (see checkpoint.ts) makes a re-run continue after the last committed batch.
 */

/** Large: each batch is one transaction, and the bulk paths pay per transaction, not per row. */
export const DEFAULT_BATCH_SIZE = 50_000;

export interface ImportProgress extends ImportPosition {
  bytesRead: number;
  totalBytes: number;
}

export interface ImportOptions {
  /** CSV records per batch (and per transaction). */
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
  onReject?: (row: RejectedRow) => void;
  /** Called once a batch has committed, before the checkpoint records it; tests interrupt imports here. */
  afterCommit?: (batch: number) => void;
}

export interface ImportSummary extends ImportPosition {
  /** The line the import started after: 1 (the header) unless it resumed an interrupted import. */
  resumedAfterLine: number;
  rejectsPath: string;
}

export async function importRelationsCsv(csvPath: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ImportFileError('the batch size must be a positive whole number');
  if (!existsSync(csvPath)) throw new ImportFileError(`${csvPath}: no such file`);
  const checkpoint = new Checkpoint(csvPath);
  const rejectsPath = `${csvPath}.rejects`;
  let position = await resumePosition(checkpoint);
  const resumedAfterLine = position.line;
  keepRejectsUpTo(rejectsPath, position.rejectsSize);

  const totalBytes = statSync(csvPath).size;
  options.onProgress?.({ ...position, bytesRead: 0, totalBytes });
  const writer = await openBulkWriter(config().databaseUrl);
  const partyCache = emptyPartyCache();
  let batchNumber = 0;
  try {
    // Batches are read on a thread of their own while the one before is stored, and stored in order.
    for await (const batch of batchesReadAside({ csvPath, afterLine: position.line, batchSize })) {
      for (const row of batch.rejects) options.onReject?.(row);
      position = await storeBatch(batch, position, { writer, checkpoint, rejectsPath, partyCache }, () => options.afterCommit?.(++batchNumber));
      options.onProgress?.({ ...position, bytesRead: batch.bytesRead, totalBytes });
    }
    await restoreDeferredIndexes(writer);
  } finally {
    await writer.close();
  }
  return { ...position, resumedAfterLine, rejectsPath };
}

/**
 * The reading thread's young generation (V8 gives a thread 48 MB): a batch being read stays alive
 * until it is posted, and in a small young generation the collector copies it again and again.
 * At 128 MB a million-row import on SQLite took 15.3–17.3 s against 14.8–20.9 s, alternated
 * (medians 16.5 and 18.4 s), for 110 MB more at its peak.
 */
const READER_YOUNG_GENERATION_MB = 128;

/** The batches csv-batch-thread.ts reads, each asked for as the one before is taken. */
async function* batchesReadAside(request: CsvBatchRequest): AsyncGenerator<ParsedBatch> {
  const reader = new Worker(workerSource(__dirname, __filename, 'csv-batch-thread'), {
    eval: true,
    workerData: { csvBatches: request },
    resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_GENERATION_MB },
  });
  try {
    reader.postMessage(NEXT_BATCH);
    for await (const [message] of on(reader, 'message', { close: ['exit'] }) as AsyncIterable<[CsvBatchMessage]>) {
      if (message.type === 'end') return;
      if (message.type === 'error') throw readingError(message);
      reader.postMessage(NEXT_BATCH);
      yield message.batch;
    }
    throw new Error('the thread reading the CSV stopped before the end of the file');
  } finally {
    await reader.terminate();
  }
}

/** The reading thread's error as the importer throws it: a problem of the file keeps its type. */
function readingError({ name, message, stack }: Extract<CsvBatchMessage, { type: 'error' }>): Error {
  if (name === 'ImportFileError') return new ImportFileError(message);
  return Object.assign(new Error(message), { name, stack });
}

async function storeBatch(
  batch: ParsedBatch,
  position: ImportPosition,
  files: { writer: BulkWriter; checkpoint: Checkpoint; rejectsPath: string; partyCache: PartyCache },
  afterCommit: () => void,
): Promise<ImportPosition> {
  // Rejects are written before the commit; a resumed import cuts them back if the batch did not commit.
  if (batch.rejects.length > 0) {
    appendFileSync(files.rejectsPath, batch.rejects.map((row) => `line ${row.line}: ${row.problem}\n`).join(''));
  }
  const next: ImportPosition = {
    line: batch.lastLine,
    imported: position.imported + batch.relations.length,
    rejected: position.rejected + batch.rejects.length,
    rejectsSize: existsSync(files.rejectsPath) ? statSync(files.rejectsPath).size : 0,
    stamp: Math.max(Date.now(), position.stamp + 1),
  };
  files.checkpoint.save(position, { ...next, size: batch.relations.length });
  if (batch.relations.length > 0) await storeImportBatch(files.writer, batch.relations, new Date(next.stamp), files.partyCache, batch);
  afterCommit();
  files.checkpoint.save(next);
  return next;
}

async function resumePosition(checkpoint: Checkpoint): Promise<ImportPosition> {
  const saved = checkpoint.read();
  if (!saved) return START;
  const { committed, pending } = saved;
  if (pending && (await batchCommitted(new Date(pending.stamp), pending.size))) {
    const { size: _size, ...reached } = pending;
    checkpoint.save(reached);
    return reached;
  }
  return committed;
}

function keepRejectsUpTo(rejectsPath: string, size: number): void {
  if (size === 0) writeFileSync(rejectsPath, '');
  else truncateSync(rejectsPath, size);
}
