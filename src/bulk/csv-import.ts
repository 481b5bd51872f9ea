import { appendFileSync, createReadStream, existsSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { type CsvError, parse } from 'csv-parse';
import { config } from '../config';
import { type BulkWriter, openBulkWriter, restoreDeferredIndexes } from '../db/bulk-writer';
import { InvalidInputError } from '../domain/errors';
import {
  CSV_COLUMNS,
  type CsvRecord,
  type ImportedRelation,
  type PartyCache,
  batchCommitted,
  emptyPartyCache,
  parseCsvRecord,
  storeImportBatch,
} from '../domain/imports';
import { Checkpoint, type ImportPosition, START } from './checkpoint';

/**
 * Imports a relations CSV (`consumer,provider,kind,occurredAt,amount,currency,rating`) in
 * batches, one transaction each, streaming the file. Bad rows are reported with their line
 * number and written to `<file>.rejects`; good rows around them are stored. A checkpoint next
 * to the file (see checkpoint.ts) makes a re-run continue after the last committed batch.
 */

/** Large: each batch is one transaction, and the bulk paths pay per transaction, not per row. */
export const DEFAULT_BATCH_SIZE = 50_000;

export interface RejectedRow {
  line: number;
  problem: string;
}

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

export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
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
  const unreadableRows: RejectedRow[] = [];
  const parser = createReadStream(csvPath).pipe(
    parse({
      info: true,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        if (error) unreadableRows.push({ line: Number(error.lines ?? 0), problem: `unreadable CSV: ${error.message}` });
      },
    }),
  );

  options.onProgress?.({ ...position, bytesRead: 0, totalBytes });
  const writer = await openBulkWriter(config().databaseUrl);
  const partyCache = emptyPartyCache();
  let batch = new Batch();
  let batchNumber = 0;
  /** The batch being stored while the next one is parsed: the database works while the file is read. */
  let storing: Promise<void> = Promise.resolve();
  const store = async (full: Batch, rowsToCome: number) => {
    if (full.lastLine === 0) return;
    for (const row of full.rejects) options.onReject?.(row);
    position = await storeBatch(full, position, { writer, checkpoint, rejectsPath, partyCache, rowsToCome }, () => options.afterCommit?.(++batchNumber));
    options.onProgress?.({ ...position, bytesRead: parser.info.bytes, totalBytes });
  };
  /**
   * Once the batch before is stored, starts storing this one with the unreadable rows up to
   * `throughLine` (all that remain at the end of the file). Batches are stored one at a time, in order.
   */
  const flush = async (throughLine = Infinity) => {
    await storing;
    const full = batch;
    batch = new Batch();
    const due = unreadableRows.filter((row) => row.line <= throughLine);
    unreadableRows.splice(0, due.length);
    for (const row of due) if (row.line > position.line) full.reject(row);
    storing = store(full, full.rowsToCome(parser.info.bytes, totalBytes));
    storing.catch(() => undefined); // its failure is met by the next flush, or at the end
  };

  let headerSeen = false;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!headerSeen) {
        checkHeader(record);
        headerSeen = true;
        continue;
      }
      if (info.lines <= position.line) continue;
      batch.add(record, info.lines, parser.info.bytes);
      if (batch.records >= batchSize) await flush(info.lines);
    }
    if (!headerSeen) throw new ImportFileError(`${csvPath} is empty; it needs the header ${CSV_COLUMNS.join(',')}`);
    await flush();
    await storing;
    await restoreDeferredIndexes(writer);
  } finally {
    await storing.catch(() => undefined); // never close the writer under a batch being stored
    await writer.close();
  }
  return { ...position, resumedAfterLine, rejectsPath };
}

/** The CSV records of one batch: the relations they describe, and the rows refused. */
class Batch {
  readonly relations: ImportedRelation[] = [];
  readonly rejects: RejectedRow[] = [];
  records = 0;
  /** The last line the batch accounts for; 0 while it is empty. */
  lastLine = 0;
  /** Bytes of the file read when the batch's first record came. */
  private startBytes = -1;

  add(fields: string[], line: number, bytesRead: number): void {
    if (this.startBytes < 0) this.startBytes = bytesRead;
    this.records++;
    if (fields.length !== CSV_COLUMNS.length) {
      return this.reject({ line, problem: `has ${fields.length} fields, expected ${CSV_COLUMNS.length}` });
    }
    const record = Object.fromEntries(CSV_COLUMNS.map((column, index) => [column, fields[index]])) as CsvRecord;
    try {
      this.relations.push(parseCsvRecord(record));
      this.lastLine = Math.max(this.lastLine, line);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      this.reject({ line, problem: error.issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ') });
    }
  }

  /** This batch's records and an estimate of those still in the file, from the bytes each took so far. */
  rowsToCome(bytesRead: number, totalBytes: number): number {
    const bytesPerRecord = Math.max(1, bytesRead - this.startBytes) / Math.max(1, this.records);
    return this.records + Math.round((totalBytes - bytesRead) / bytesPerRecord);
  }

  reject(row: RejectedRow): void {
    this.rejects.push(row);
    this.lastLine = Math.max(this.lastLine, row.line);
  }
}

async function storeBatch(
  batch: Batch,
  position: ImportPosition,
  files: { writer: BulkWriter; checkpoint: Checkpoint; rejectsPath: string; partyCache: PartyCache; rowsToCome: number },
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
  if (batch.relations.length > 0) await storeImportBatch(files.writer, batch.relations, new Date(next.stamp), files.partyCache, files);
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

function checkHeader(header: string[]): void {
  const names = header.map((name) => name.trim());
  if (names.join(',') !== CSV_COLUMNS.join(',')) {
    throw new ImportFileError(`the header must be ${CSV_COLUMNS.join(',')}, not ${names.join(',')}`);
  }
}
