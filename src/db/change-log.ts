import { config } from '../config';
import type { Prisma } from '../generated/prisma/client';
import { db } from './client';
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
export function changesAfter(id: number, limit: number): Promise<LoggedChange[]> {
  return db().changeLogEntry.findMany({
    where: { id: { gt: id } },
    orderBy: { id: 'asc' },
    take: limit,
    select: { id: true, change: true },
  });
}

/** Deletes the changes made before `before`; says how many. */
export async function pruneChangeLog(before: Date): Promise<number> {
  const { count } = await db().changeLogEntry.deleteMany({ where: { createdAt: { lt: before } } });
  return count;
}
