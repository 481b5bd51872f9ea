import { config } from '../config';
import type { Prisma } from '../generated/prisma/client';
import { type Db, db } from './client';
import { dialectOf } from './dialect';

export type Transaction = Prisma.TransactionClient;

export interface LoggedChange {
  id: number;
  /** The change as its writer encoded it. */
  change: string;
}

/**
 * Appends to the change log inside the transaction making the change, so that both commit or
 * neither does. PostgreSQL takes ids from a sequence at insert but shows rows at commit: two
 * writers could commit out of id order, and a reader already past the later id would never see
 * the earlier. A transaction-scoped advisory lock, taken last and held to commit, makes appends
 * commit in id order. (SQLite has one writer at a time already.)
 */
export async function appendToChangeLog(tx: Transaction, change: string): Promise<void> {
  if (dialectOf(config().databaseUrl) === 'postgres') {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7272740001)`; // any fixed number: names the lock
  }
  await tx.changeLogEntry.create({ data: { change } });
}

/** The id of the last change committed, or 0 when there is none: for snapshot readers. */
export const LAST_CHANGE_SQL = 'SELECT COALESCE(MAX("id"), 0) FROM "ChangeLogEntry"';

/** Up to `limit` changes committed after the one numbered `id`, oldest first. */
export function changesAfter(database: Db, id: number, limit: number): Promise<LoggedChange[]> {
  return database.changeLogEntry.findMany({
    where: { id: { gt: id } },
    orderBy: { id: 'asc' },
    take: limit,
    select: { id: true, change: true },
  });
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
