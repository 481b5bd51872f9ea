import { type Transaction, appendToChangeLog, changesAfter, lastChangeId } from '../db/change-log';
import type { RelationRecord } from '../db/graph-source';
import type { Party } from '../db/party';
import type { Relation } from '../generated/prisma/client';

/**
 * Committed writes that derived state (the analytics graph projection, the key and response
 * caches) must follow. Each is appended to the change log by the transaction that makes it, so
 * it commits with the write or not at all, and every server process on the database reads the
 * changes in commit order.
 */
export type Change =
  /** `id` names the relation for webhooks; bulk imports leave it out. */
  | { type: 'relationRecorded'; relation: RelationRecord; id?: number }
  | { type: 'relationRemoved'; relation: RelationRecord; id?: number }
  | { type: 'partyCreated'; party: Party; id: number }
  /** The party's own fields changed (name, contact, consent, erasure); the graph holds none of them. */
  | { type: 'partyUpdated'; party: Party; id: number; erased?: true }
  /** The party went, with every relation it had. */
  | { type: 'partyDeleted'; party: Party; id: number }
  /** Many rows were written at once, around the per-row changes (a bulk import): read afresh. */
  | { type: 'bulkLoaded' }
  /** API keys were revoked: no process may accept them from now on. */
  | { type: 'apiKeysRevoked'; ids: number[] }
  /**
   * Consumers were merged into `into` (mergeConsumers), for readers of events (consumer.merged).
   * What derived state needs follows it in the same transaction, as the changes above:
   * `partyDeleted` per merged consumer, `relationRecorded` per moved relation, `partyUpdated`.
   */
  | { type: 'consumersMerged'; into: number; from: number[] };

export function recordChange(tx: Transaction, change: Change): Promise<void> {
  return appendToChangeLog(tx, serializeChange(change));
}

/** The change as the log stores it, for writers that append to it themselves (the bulk writer). */
export function serializeChange(change: Change): string {
  return JSON.stringify(change);
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

/** Changes read at once past which a follower assumes that anything may have changed. */
const MAX_CHANGES_FOLLOWED = 1000;

/**
 * Follows the change log for an in-process cache that must not outlive a write made by any
 * process. `catchUp()` costs one prepared read of the last id when nothing changed; otherwise it
 * hands the changes committed since the previous call to `onChanges`, or null when there were
 * too many to read (then anything may have changed). It resolves to the last id it read.
 */
export class ChangeFollower {
  private position: number | undefined;

  constructor(private readonly onChanges: (changes: Change[] | null) => void) {}

  async catchUp(): Promise<number> {
    const last = await lastChangeId();
    const from = this.position;
    if (from !== undefined && last <= from) return last;
    this.position = Math.max(last, this.position ?? 0);
    // The first call has nothing cached before it to invalidate.
    if (from === undefined) return last;
    const entries = last - from > MAX_CHANGES_FOLLOWED ? null : await changesAfter(from, last - from);
    this.onChanges(entries && entries.map((entry) => parseChange(entry.change)));
    return last;
  }
}
