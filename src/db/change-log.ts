import { createHash } from 'node:crypto';
import { config } from '../config';
import type { Prisma } from '../generated/prisma/client';
import { db } from './client';
import { dialectOf } from './dialect';
import { type DriverReader, type PreparedRead, driver } from './driver';

export type Transaction = Prisma.TransactionClient;

export interface LoggedChange {
  id: number;
  /** The change as its writer encoded it. */
  change: string;
}

/** Any fixed number: names the advisory lock that orders appends to the change log. */
export const CHANGE_LOG_LOCK = 7272740001;

/**
 * Appends to the change log inside the transaction making the change, so that both commit or
 * neither does. PostgreSQL takes ids from a sequence at insert but shows rows at commit: two
 * writers could commit out of id order, and a reader already past the later id would never see
 * the earlier. A transaction-scoped advisory lock, taken last and held to commit, makes appends
 * commit in id order. (SQLite has one writer at a time already.)
 */
export async function appendToChangeLog(tx: Transaction, change: string): Promise<void> {
  await holdAppendOrder(tx, CHANGE_LOG_LOCK);
  await tx.changeLogEntry.create({ data: { change } });
}

/**
 * On PostgreSQL, takes the transaction-scoped advisory lock `lock` (held to commit): rows of an
 * append-only table inserted after it commit in id order. A no-op on SQLite.
 */
export async function holdAppendOrder(tx: Transaction, lock: number): Promise<void> {
  if (dialectOf(config().databaseUrl) === 'postgres') await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${lock})`);
}

/** The id of the last change committed, or 0 when there is none: for snapshot readers. */
export const LAST_CHANGE_SQL = 'SELECT COALESCE(MAX("id"), 0) FROM "ChangeLogEntry"';

const LAST_CHANGE: PreparedRead = { name: 'rapport_last_change', sql: LAST_CHANGE_SQL };
const CHANGES_AFTER: PreparedRead = {
  name: 'rapport_changes_after',
  sql: 'SELECT "id", "change" FROM "ChangeLogEntry" WHERE "id" > $1 ORDER BY "id" LIMIT $2',
};

const CHANGE_ENTRY: PreparedRead = {
  name: 'rapport_change_entry',
  sql: 'SELECT "createdAt", "change" FROM "ChangeLogEntry" WHERE "id" = $1',
};

/**
 * A digest of the change numbered `id` (its time and text), telling it from the change of that
 * number in another database; undefined when the log does not hold it (none yet, or pruned).
 */
export async function changeDigest(id: number, reader: DriverReader = driver()): Promise<string | undefined> {
  const [row] = await reader.rows<[Date | string | number, string]>(CHANGE_ENTRY, [id]);
  if (!row) return undefined;
  const [createdAt, change] = row;
  return createHash('sha256')
    .update(`${id}\n${createdAt instanceof Date ? createdAt.toISOString() : String(createdAt)}\n${change}`)
    .digest('base64url');
}

/** The id of the last change committed, through the driver: cheap enough to ask on every request. */
export async function lastChangeId(): Promise<number> {
  const [[id]] = await driver().rows<[number]>(LAST_CHANGE);
  return Number(id);
}

/**
 * Up to `limit` changes committed after the one numbered `id`, oldest first, read through the
 * driver's prepared statement (every question refreshes the graph through this): by default the
 * process's reader over the configured database.
 */
export async function changesAfter(id: number, limit: number, reader: DriverReader = driver()): Promise<LoggedChange[]> {
  const rows = await reader.rows<[number, string]>(CHANGES_AFTER, [id, limit]);
  return rows.map(([entry, change]) => ({ id: Number(entry), change }));
}

/**
 * How long changes stay in the log. A reader that has not caught up for half this long may have
 * missed pruned changes, so it reads a fresh snapshot instead (see GraphProjection).
 */
export const CHANGE_LOG_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Deletes the changes older than the retention; says how many. Any process may run it, any time. */
export async function pruneChangeLog(now = Date.now()): Promise<number> {
  const before = new Date(now - CHANGE_LOG_RETENTION_MS);
  const { count } = await db().changeLogEntry.deleteMany({ where: { createdAt: { lt: before } } });
  return count;
}
