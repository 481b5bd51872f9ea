import { workerSource } from '../config/worker-source';
import { Worker } from 'node:worker_threads';
import { RelationKind } from '../generated/prisma/enums';
import { LAST_CHANGE_SQL } from './change-log';
import { sqliteTime } from './bulk-writer';
import { dialectOf, sqliteFilePath } from './dialect';
import type { Party } from './party';
import type { RelationBatch, SnapshotFailure, SnapshotMessage, SnapshotRead } from './sqlite-snapshot-thread';

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
  /** Room for the consumer–provider pairs of the relations to come: `pairs` of them at most. */
  reserve(pairs: number): void;
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
  if (dialectOf(databaseUrl) === 'sqlite') return readSqliteSnapshot(databaseUrl, visitor, range);
  // A module of PostgreSQL's only, loaded with its driver (pg-driver.ts).
  const { readPostgresSnapshot } = require('./graph-source-postgres') as typeof import('./graph-source-postgres');
  return readPostgresSnapshot(databaseUrl, visitor, range);
}

export const RELATION_KINDS = Object.values(RelationKind);
/** Kinds come back as their index in RELATION_KINDS: a small integer instead of a new string per row. */
const KIND_INDEX_SQL = `CASE "kind" ${RELATION_KINDS.map((kind, index) => `WHEN '${kind}' THEN ${index}`).join(' ')} END`;
/**
 * Times come back as milliseconds SQLite parsed: no string per row to make and parse again (its
 * fractional seconds come from whole milliseconds, so rounding gives them back exactly).
 */
const RELATION_COLUMNS = ['"consumerId"', '"providerId"', KIND_INDEX_SQL, `CAST(round(unixepoch("occurredAt", 'subsec') * 1000) AS INTEGER)`, '"amountMinor"', '"currency"', '"rating"'];

// Stored times are ISO text in one fixed form, so comparing text compares times.
const IN_RANGE = '"occurredAt" >= @from AND "occurredAt" < @to';

/** A batch of relations as sqlite-snapshot-thread.ts reads it: one JSON array per column, in one order of IDs. */
function relationBatchSql(condition?: string): string {
  const columns = RELATION_COLUMNS.map((column, index) => `${column} AS c${index}`).join(', ');
  const arrays = RELATION_COLUMNS.map((_, index) => `json_group_array(c${index})`).join(', ');
  return `SELECT max("id"), count(*), ${arrays} FROM (SELECT "id", ${columns} FROM "Relation" WHERE "id" > @after${condition ? ` AND ${condition}` : ''} ORDER BY "id" LIMIT @rows)`;
}
const PAIR_COUNT_SQL = 'SELECT COUNT(*) FROM (SELECT 1 FROM "Relation" GROUP BY "consumerId", "providerId")';

/**
 * Reads through better-sqlite3 directly, row arrays and no ORM objects, on a thread of its own
 * (sqlite-snapshot-thread.ts): building the projection is dominated by this read, and the visitor
 * aggregates one batch while the thread reads the next. Batches arrive one event each, so a long
 * read never holds up requests for long.
 */
async function readSqliteSnapshot(databaseUrl: string, visitor: GraphSnapshotVisitor, range?: TimeRange): Promise<number> {
  const inFlight = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const read: SnapshotRead = {
    file: sqliteFilePath(databaseUrl),
    lastChangeSql: LAST_CHANGE_SQL,
    consumersSql: 'SELECT id FROM "Consumer"',
    providersSql: 'SELECT id FROM "Provider"',
    relationsSql: relationBatchSql(range && IN_RANGE),
    // Whole, the pairs are counted on an index of both ends (about 0.1 s at 1M relations, while the
    // request thread is still loading modules): the store is then made to size once, not shrunk after.
    pairBoundSql: range ? `SELECT COUNT(*) FROM "Relation" WHERE ${IN_RANGE}` : PAIR_COUNT_SQL,
    relationParameters: range ? { from: sqliteTime(new Date(range.from)), to: sqliteTime(new Date(range.to)) } : {},
    inFlight,
  };
  const reader = idleReaders.pop() ?? startReader();
  let lastChange: number;
  try {
    lastChange = await new Promise<number>((resolve, reject) => {
      const stop = (error: Error) => {
        reader.off('message', received).off('error', stop).off('exit', exited);
        reject(error);
      };
      const exited = (code: number) => stop(new Error(`The SQLite snapshot reader stopped with exit code ${code} before the end of its read`));
      const received = (message: SnapshotMessage | SnapshotFailure) => {
        if (message.type === 'failed') return stop(new Error(message.message));
        try {
          const done = visit(visitor, message);
          if (done === undefined) return;
          reader.off('message', received).off('error', stop).off('exit', exited);
          resolve(done);
        } catch (error) {
          stop(error as Error);
        } finally {
          if (message.type === 'relations') {
            Atomics.sub(inFlight, 0, 1);
            Atomics.notify(inFlight, 0);
          }
        }
      };
      reader.on('message', received).on('error', stop).on('exit', exited);
      reader.postMessage(read);
    });
  } catch (error) {
    void reader.terminate(); // it may be waiting for room to post the rest of a read given up
    throw error;
  }
  if (idleReaders.length < IDLE_READERS) idleReaders.push(reader);
  else void reader.terminate();
  return lastChange;
}

/** Reader threads between reads: one is kept, so a read after the first does not wait for a thread to start. */
const idleReaders: Worker[] = [];
const IDLE_READERS = 1;

function startReader(): Worker {
  const reader = new Worker(workerSource(__dirname, __filename, 'sqlite-snapshot-thread'), { eval: true, execArgv: [], workerData: { snapshotReader: true } });
  reader.unref();
  const retire = () => {
    const index = idleReaders.indexOf(reader);
    if (index >= 0) idleReaders.splice(index, 1);
  };
  // Errors during a read go to that read; a thread that fails between reads is only dropped.
  reader.on('error', retire).on('exit', retire);
  return reader;
}

/** Hands one message of the reader to `visitor`; the last one brings the change log position. */
function visit(visitor: GraphSnapshotVisitor, message: SnapshotMessage): number | undefined {
  switch (message.type) {
    case 'parties':
      for (const id of message.ids) visitor.party(message.side, id);
      return undefined;
    case 'expect':
      visitor.reserve(message.pairs);
      return undefined;
    case 'relations':
      visitor.relations(message.batch);
      return undefined;
    case 'done':
      return message.lastChange;
  }
}

