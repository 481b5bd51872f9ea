import Database from 'better-sqlite3';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

/**
 * The SQLite snapshot read, run on a thread of its own (graph-source.ts starts it and keeps it for the next read): it reads the
 * parties and relations through better-sqlite3 and posts them as columnar batches of typed
 * arrays, so the thread that aggregates them never touches a row object and both work at once.
 * This module imports nothing of the application: the thread starts with little to load.
 */

export interface SnapshotRead {
  file: string;
  lastChangeSql: string;
  consumersSql: string;
  providersSql: string;
  /** Selects at least as many as the consumer–provider pairs the relations read hold (their exact count, or the relations'). */
  pairBoundSql: string;
  /**
   * Selects the next batch of relations: the `@rows` at most after relation ID `@after`, as
   * [last relation ID, relations, then one JSON array per column: consumer ID, provider ID, kind
   * index, time in milliseconds, amount, currency, rating].
   */
  relationsSql: string;
  /** Named parameters of `pairBoundSql` and `relationsSql` besides `@after` and `@rows`. */
  relationParameters: Record<string, string>;
  /** [batches posted and not yet taken by the reading thread], which the reader waits on past MAX_BATCHES_IN_FLIGHT. */
  inFlight: Int32Array;
}

/** Relations from a snapshot, a column per field. */
export interface RelationBatch {
  size: number;
  consumerIds: Int32Array;
  providerIds: Int32Array;
  /** Index in Object.values(RelationKind). */
  kinds: Uint8Array;
  /** Milliseconds since the epoch. */
  occurredAt: Float64Array;
  /** NaN: no amount. */
  amounts: Float64Array;
  /** 1 + index in currencyNames; 0: no currency. */
  currencies: Uint16Array;
  currencyNames: string[];
  /** NaN: no rating. */
  ratings: Float64Array;
}

export type SnapshotMessage =
  | { type: 'parties'; side: 'consumer' | 'provider'; ids: Int32Array }
  | { type: 'expect'; pairs: number }
  | { type: 'relations'; batch: RelationBatch }
  | { type: 'done'; lastChange: number };

export const BATCH_ROWS = 16_384;
/** Batches the reader runs ahead of the aggregation, at most: bounds the memory between them. */
export const MAX_BATCHES_IN_FLIGHT = 8;

/** A batch as relationsSql selects it: SQLite writes each column out as one JSON text, where better-sqlite3 would make an array per row (about 1 µs each, twice SQLite's own time per relation). */
type BatchRow = [lastId: number, size: number, ...columns: string[]];
type Columns = [consumerIds: number[], providerIds: number[], kinds: (number | null)[], times: (number | null)[], amounts: (number | null)[], currencies: (string | null)[], ratings: (number | null)[]];

/** Reads the snapshot `read` describes in one transaction, handing each message to `post`. */
export function readSnapshot(read: SnapshotRead, post: (message: SnapshotMessage, transfer: ArrayBuffer[]) => void): void {
  const database = new Database(read.file, { readonly: true, fileMustExist: true });
  try {
    database.exec('BEGIN');
    const [lastChange] = database.prepare(read.lastChangeSql).raw().get() as [number];
    post({ type: 'parties', side: 'consumer', ids: Int32Array.from(database.prepare(read.consumersSql).pluck().all() as number[]) }, []);
    post({ type: 'parties', side: 'provider', ids: Int32Array.from(database.prepare(read.providersSql).pluck().all() as number[]) }, []);
    post({ type: 'expect', pairs: database.prepare(read.pairBoundSql).pluck().get(read.relationParameters) as number }, []);
    const currencyCodes = new Map<string, number>();
    const relations = database.prepare(read.relationsSql).raw();
    for (let after = -Infinity; ; ) {
      const [lastId, size, ...columns] = relations.get({ ...read.relationParameters, after, rows: BATCH_ROWS }) as BatchRow;
      if (size === 0) break;
      postBatch(read.inFlight, batchOf(columns.map((column) => JSON.parse(column)) as Columns, currencyCodes), post);
      after = lastId;
    }
    database.exec('COMMIT');
    post({ type: 'done', lastChange }, []);
  } finally {
    database.close();
  }
}

function batchOf(columns: Columns, currencyCodes: Map<string, number>): RelationBatch {
  const [consumerIds, providerIds, kinds, times, amounts, currencies, ratings] = columns;
  const batch = newBatch(currencyCodes);
  for (let at = 0; at < consumerIds.length; at++) {
    const kind = kinds[at];
    const time = times[at];
    if (kind === null) throw new Error(`A relation between consumer ${consumerIds[at]} and provider ${providerIds[at]} has a kind this version does not know`);
    if (time === null) throw new Error(`A relation between consumer ${consumerIds[at]} and provider ${providerIds[at]} has an occurredAt SQLite cannot read as a time`);
    batch.consumerIds[at] = consumerIds[at];
    batch.providerIds[at] = providerIds[at];
    batch.kinds[at] = kind;
    batch.occurredAt[at] = time;
    batch.amounts[at] = amounts[at] ?? NaN;
    const currency = currencies[at];
    batch.currencies[at] = currency === null ? 0 : codeOf(currency, currencyCodes, batch.currencyNames);
    batch.ratings[at] = ratings[at] ?? NaN;
  }
  batch.size = consumerIds.length;
  return batch;
}

function codeOf(currency: string, codes: Map<string, number>, names: string[]): number {
  let code = codes.get(currency);
  if (code === undefined) {
    names.push(currency);
    codes.set(currency, (code = names.length));
  }
  return code;
}

/** One buffer per batch, its columns widest first so each view is aligned: one transfer moves it. */
function newBatch(currencyCodes: Map<string, number>): RelationBatch {
  const buffer = new ArrayBuffer(BATCH_ROWS * (3 * 8 + 2 * 4 + 2 + 1));
  let offset = 0;
  const view = <T>(Type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number }): T => {
    const array = new Type(buffer, offset, BATCH_ROWS);
    offset += BATCH_ROWS * Type.BYTES_PER_ELEMENT;
    return array;
  };
  return {
    size: 0,
    occurredAt: view(Float64Array),
    amounts: view(Float64Array),
    ratings: view(Float64Array),
    consumerIds: view(Int32Array),
    providerIds: view(Int32Array),
    currencies: view(Uint16Array),
    kinds: view(Uint8Array),
    currencyNames: [...currencyCodes.keys()],
  };
}

function postBatch(inFlight: Int32Array, batch: RelationBatch, post: (message: SnapshotMessage, transfer: ArrayBuffer[]) => void): void {
  for (let posted = Atomics.load(inFlight, 0); posted >= MAX_BATCHES_IN_FLIGHT; posted = Atomics.load(inFlight, 0)) Atomics.wait(inFlight, 0, posted);
  Atomics.add(inFlight, 0, 1);
  post({ type: 'relations', batch }, [batch.occurredAt.buffer as ArrayBuffer]);
}

/** A read that failed on the thread: the thread lives on for the next one. */
export interface SnapshotFailure {
  type: 'failed';
  message: string;
}

if (!isMainThread && parentPort && (workerData as { snapshotReader?: boolean } | undefined)?.snapshotReader) {
  const port = parentPort;
  port.on('message', (read: SnapshotRead) => {
    try {
      readSnapshot(read, (message, transfer) => port.postMessage(message, transfer));
    } catch (error) {
      port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies SnapshotFailure);
    }
  });
}
