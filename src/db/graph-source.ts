import Database from 'better-sqlite3';
import { RelationKind } from '../generated/prisma/enums';
import { LAST_CHANGE_SQL } from './change-log';
import { sqliteTime } from './bulk-writer';
import { dialectOf, sqliteFilePath } from './dialect';
import type { Party } from './party';
import { readPostgresSnapshot } from './graph-source-postgres';

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
  /** The record is reused for the next relation: copy what you keep. */
  relation(relation: RelationRecord): void;
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

const RELATION_KINDS = Object.values(RelationKind);
/** Kinds come back as their index in RELATION_KINDS: a small integer instead of a new string per row. */
const KIND_INDEX_SQL = `CASE "kind" ${RELATION_KINDS.map((kind, index) => `WHEN '${kind}' THEN ${index}`).join(' ')} END`;
const RELATION_COLUMNS = `"consumerId", "providerId", ${KIND_INDEX_SQL}, "occurredAt", "amountMinor", "currency", "rating"`;
/** Rows read between two yields to the event loop, so a long read never holds up requests for long. */
const ROWS_PER_TURN = 20_000;

/**
 * Reads through better-sqlite3 directly, row arrays and no ORM objects, because building the
 * projection is dominated by this read.
 */
async function readSqliteSnapshot(databaseUrl: string, visitor: GraphSnapshotVisitor, range?: TimeRange): Promise<number> {
  const database = new Database(sqliteFilePath(databaseUrl), { readonly: true, fileMustExist: true });
  try {
    database.exec('BEGIN');
    const [lastChange] = database.prepare(LAST_CHANGE_SQL).raw().get() as [number];
    for (const [id] of database.prepare('SELECT id FROM "Consumer"').raw().iterate() as Iterable<[number]>) {
      visitor.party('consumer', id);
    }
    for (const [id] of database.prepare('SELECT id FROM "Provider"').raw().iterate() as Iterable<[number]>) {
      visitor.party('provider', id);
    }
    // Stored times are ISO text in one fixed form, so comparing text compares times.
    const relations = range
      ? database
          .prepare(`SELECT ${RELATION_COLUMNS} FROM "Relation" WHERE "occurredAt" >= ? AND "occurredAt" < ?`)
          .raw()
          .bind(sqliteTime(new Date(range.from)), sqliteTime(new Date(range.to)))
      : database.prepare(`SELECT ${RELATION_COLUMNS} FROM "Relation"`).raw();
    type Row = [number, number, number | null, string, number | null, string | null, number | null];
    // One record for all rows: at a million relations, an object per row is a fifth of the build in garbage collection.
    const record: RelationRecord = { consumerId: 0, providerId: 0, kind: 'PURCHASE', occurredAt: 0, amountMinor: null, currency: null, rating: null };
    let rows = 0;
    for (const row of relations.iterate() as Iterable<Row>) {
      if (++rows % ROWS_PER_TURN === 0) await new Promise(setImmediate);
      record.consumerId = row[0];
      record.providerId = row[1];
      record.kind = RELATION_KINDS[row[2] ?? -1] ?? unknownKind(row);
      record.occurredAt = parseStoredTime(row[3]);
      record.amountMinor = row[4];
      record.currency = row[5];
      record.rating = row[6];
      visitor.relation(record);
    }
    database.exec('COMMIT');
    return lastChange;
  } finally {
    database.close();
  }
}

function unknownKind(row: unknown[]): never {
  throw new Error(`A relation between consumer ${row[0]} and provider ${row[1]} has a kind this version does not know`);
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
