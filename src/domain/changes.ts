import { type Transaction, appendToChangeLog } from '../db/change-log';
import type { RelationRecord } from '../db/graph-source';
import type { Relation } from '../generated/prisma/client';

export type Party = 'consumer' | 'provider';

/**
 * Committed writes that derived state (the analytics graph projection) must follow. Each is
 * appended to the change log by the transaction that makes it, so it commits with the write or
 * not at all, and every server process on the database reads the changes in commit order.
 */
export type Change =
  | { type: 'relationRecorded'; relation: RelationRecord }
  | { type: 'relationRemoved'; relation: RelationRecord }
  | { type: 'partyCreated'; party: Party; id: number }
  /** The party went, with every relation it had. */
  | { type: 'partyDeleted'; party: Party; id: number }
  /** Many rows were written at once, around the per-row changes (a bulk import): read afresh. */
  | { type: 'bulkLoaded' };

export function recordChange(tx: Transaction, change: Change): Promise<void> {
  return appendToChangeLog(tx, JSON.stringify(change));
}

export function parseChange(logged: string): Change {
  return JSON.parse(logged) as Change;
}

/** The facts of a relation that derived state needs. */
export function relationRecord(relation: Relation): RelationRecord {
  const { consumerId, providerId, kind, amountMinor, currency, rating } = relation;
  return { consumerId, providerId, kind, occurredAt: relation.occurredAt.getTime(), amountMinor, currency, rating };
}

/** A change this process has just committed, with the relation row when there is one. */
export interface Committed {
  change: Change;
  relation?: Relation;
}

const committedListeners = new Set<(committed: Committed) => void>();

/**
 * Listens to the changes this process commits, once committed: for live notifications
 * (subscriptions), which other processes receive through the shared pub/sub. Derived state
 * (the graph projection) follows the change log instead, which holds every process's changes.
 */
export function onCommitted(listener: (committed: Committed) => void): () => void {
  committedListeners.add(listener);
  return () => committedListeners.delete(listener);
}

export function announceCommitted(committed: Committed): void {
  for (const listener of committedListeners) listener(committed);
}
