import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RelationKind } from '../generated/prisma/enums';
import { LAST_CHANGE_SQL } from './change-log';
import { sqliteTime } from './bulk-writer';
import { dialectOf, sqliteFilePath } from './dialect';
import type { Party } from './party';
import { readPostgresSnapshot } from './graph-source-postgres';
import type { RelationBatch, SnapshotMessage, SnapshotRead } from './sqlite-snapshot-thread';

export type { RelationBatch } from './sqlite-snapshot-thread';

/** One relation as the graph projection reads it: the columns it needs, nothing else. */
export interface RelationRecord {
  consumerId: number;
  providerId: number;
  kind: RelationKind;
  occurredAt: number;
  amountMinor: number | null;
  currency: string | null;
  rating: number | null;
}

export interface GraphSnapshotVisitor {
  party(party: Party, id: number): void;
  /** Room for about `relations` relations to come (at least as many as come). */
  reserve(relations: number): void;
  relation(relation: RelationRecord): void;
  /** Many relations at once, as columns (from SQLite); the batch is the visitor's to keep. */
  relations(batch: RelationBatch): void;
}

/** Relations that occurred from `from` (included) to `to` (excluded), in milliseconds since the epoch. */
export interface TimeRange {
  from: number;
  to: number;
}

/**
 * Streams every consumer, provider and relation (only those that occurred in `range`, when given)
 * to `visitor` from one consistent snapshot of the database, and resolves with the id of the last
 * change log entry that snapshot includes.
 */
export async function readGraphSnapshot(databaseUrl: string, visitor: GraphSnapshotVisitor, range?: TimeRange): Promise<number> {
  return dialectOf(databaseUrl) === 'postgres'
    ? readPostgresSnapshot(databaseUrl, visitor, range)
    : readSqliteSnapshot(databaseUrl, visitor, range);
}

export const RELATION_KINDS = Object.values(RelationKind);
/** Kinds come back as their index in RELATION_KINDS: a small integer instead of a new string per row. */
const KIND_INDEX_SQL = `CASE "kind" ${RELATION_KINDS.map((kind, index) => `WHEN '${kind}' THEN ${index}`).join(' ')} END`;
/** Times come back as numbers SQLite parsed: no string per row to make and parse again. */
const RELATION_COLUMNS = `"consumerId", "providerId", ${KIND_INDEX_SQL}, unixepoch("occurredAt", 'subsec'), "amountMinor", "currency", "rating"`;

const RANGE_SQL = ' WHERE "occurredAt" >= ? AND "occurredAt" < ?';

/**
 * Reads through better-sqlite3 directly, row arrays and no ORM objects, on a thread of its own
 * (sqlite-snapshot-thread.ts): building the projection is dominated by this read, and the visitor
 * aggregates one batch while the thread reads the next. Batches arrive one event each, so a long
 * read never holds up requests for long.
 */
function readSqliteSnapshot(databaseUrl: string, visitor: GraphSnapshotVisitor, range?: TimeRange): Promise<number> {
  const inFlight = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const snapshotRead: SnapshotRead = {
    file: sqliteFilePath(databaseUrl),
    lastChangeSql: LAST_CHANGE_SQL,
    consumersSql: 'SELECT id FROM "Consumer"',
    providersSql: 'SELECT id FROM "Provider"',
    // Stored times are ISO text in one fixed form, so comparing text compares times.
    relationsSql: `SELECT ${RELATION_COLUMNS} FROM "Relation"${range ? RANGE_SQL : ''}`,
    relationBoundSql: range ? `SELECT COUNT(*) FROM "Relation"${RANGE_SQL}` : 'SELECT COALESCE(MAX(rowid), 0) FROM "Relation"',
    relationParameters: range ? [sqliteTime(new Date(range.from)), sqliteTime(new Date(range.to))] : [],
    inFlight,
  };
  const reader = new Worker(readerSource(), { eval: true, execArgv: [], workerData: { snapshotRead } });
  return new Promise((resolve, reject) => {
    let lastChange: number | undefined;
    reader.on('message', (message: SnapshotMessage) => {
      try {
        lastChange = visit(visitor, message) ?? lastChange;
      } catch (error) {
        reject(error);
        void reader.terminate();
      } finally {
        if (message.type === 'relations') {
          Atomics.sub(inFlight, 0, 1);
          Atomics.notify(inFlight, 0);
        }
      }
    });
    reader.once('error', reject);
    reader.once('exit', (code) => {
      if (lastChange === undefined) reject(new Error(`The SQLite snapshot reader stopped with exit code ${code} before the end of its read`));
      else resolve(lastChange);
    });
  });
}

/** Hands one message of the reader to `visitor`; the last one brings the change log position. */
function visit(visitor: GraphSnapshotVisitor, message: SnapshotMessage): number | undefined {
  switch (message.type) {
    case 'parties':
      for (const id of message.ids) visitor.party(message.side, id);
      return undefined;
    case 'expect':
      visitor.reserve(message.relations);
      return undefined;
    case 'relations':
      visitor.relations(message.batch);
      return undefined;
    case 'done':
      return message.lastChange;
  }
}

/** Loads the reader through tsx when running from TypeScript sources, its .js when compiled. */
function readerSource(): string {
  const extension = extname(__filename);
  const entry = JSON.stringify(join(__dirname, `sqlite-snapshot-thread${extension}`));
  return extension === '.ts' ? `require('tsx/cjs'); require(${entry});` : `require(${entry});`;
}

const DAY_MS = 86_400_000;

/**
 * Milliseconds since the epoch of a DateTime as Prisma stores it in SQLite,
 * `2026-03-01T12:00:00.000+00:00`, read digit by digit with the civil-calendar arithmetic done
 * inline: several times faster than Date.parse, which a million rows feel. Any other form goes
 * to Date.parse.
 */
export function parseStoredTime(text: string): number {
  if (text.length !== 29 || text.charCodeAt(10) !== 84 /* T */ || text.charCodeAt(19) !== 46 /* . */ || !text.endsWith('+00:00')) return Date.parse(text);
  const day = daysSinceEpoch(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2));
  return day * DAY_MS + ((digits(text, 11, 2) * 60 + digits(text, 14, 2)) * 60 + digits(text, 17, 2)) * 1000 + digits(text, 20, 3);
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index++) value = value * 10 + text.charCodeAt(index) - 48;
  return value;
}
