import { createReadStream, statSync } from 'node:fs';
import { type CsvError, parse } from 'csv-parse';
import { InvalidInputError } from '../domain/errors';
import { CSV_COLUMNS, type ImportedRelation, parseCsvRecord } from '../domain/imports';

/**
 * Reads a relations CSV (`consumer,provider,kind,occurredAt,amount,currency,rating`) into
 * batches of valid relations and refused rows, each refusal with its line number. Pure reading:
 * csv-import.ts runs it on a thread of its own (csv-batch-thread.ts) and stores what it yields.
 */

export interface RejectedRow {
  line: number;
  problem: string;
}

export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/** The records of one batch, as the importer stores them. */
export interface ParsedBatch {
  relations: ImportedRelation[];
  rejects: RejectedRow[];
  /** The last line the batch accounts for. */
  lastLine: number;
  /** This batch's records and an estimate of those still in the file. */
  rowsToCome: number;
  /** Bytes of the file read when the batch was complete. */
  bytesRead: number;
}

/**
 * The batches of `batchSize` records of the file after line `afterLine` (the header is line 1),
 * in order; rows csv-parse cannot read are refused in the batch their line falls in.
 */
export async function* csvBatches(csvPath: string, afterLine: number, batchSize: number): AsyncGenerator<ParsedBatch> {
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
  let batch = new Batch();
  /** The batch so far with the unreadable rows up to `throughLine` (all that remain at the end of the file). */
  const complete = (throughLine = Infinity): ParsedBatch | undefined => {
    const full = batch;
    batch = new Batch();
    const due = unreadableRows.filter((row) => row.line <= throughLine);
    unreadableRows.splice(0, due.length);
    for (const row of due) if (row.line > afterLine) full.reject(row);
    if (full.lastLine === 0) return undefined;
    const bytesRead = parser.info.bytes;
    return { relations: full.relations, rejects: full.rejects, lastLine: full.lastLine, rowsToCome: full.rowsToCome(bytesRead, totalBytes), bytesRead };
  };

  let headerSeen = false;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!headerSeen) {
      checkHeader(record);
      headerSeen = true;
      continue;
    }
    if (info.lines <= afterLine) continue;
    batch.add(record, info.lines, parser.info.bytes);
    if (batch.records >= batchSize) {
      const full = complete(info.lines);
      if (full) yield full;
    }
  }
  if (!headerSeen) throw new ImportFileError(`${csvPath} is empty; it needs the header ${CSV_COLUMNS.join(',')}`);
  const last = complete();
  if (last) yield last;
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
    // The columns named, not Object.fromEntries: 1.3 s of a million rows.
    const [consumer, provider, kind, occurredAt, amount, currency, rating] = fields;
    try {
      this.relations.push(parseCsvRecord({ consumer, provider, kind, occurredAt, amount, currency, rating }));
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

function checkHeader(header: string[]): void {
  const names = header.map((name) => name.trim());
  if (names.join(',') !== CSV_COLUMNS.join(',')) {
    throw new ImportFileError(`the header must be ${CSV_COLUMNS.join(',')}, not ${names.join(',')}`);
  }
}
