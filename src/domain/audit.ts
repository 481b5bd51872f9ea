import { AsyncLocalStorage } from 'node:async_hooks';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { type Caller, callerSubject } from '../auth/caller';
import type { Transaction } from '../db/change-log';
import { db } from '../db/client';

export interface AuditRecord {
  caller: Caller;
  operation: string;
  /** Global IDs the operation named or created; never personal data. */
  targetIds: string[];
  /** `OK`, or the name of the error that stopped it. */
  outcome: string;
}

function auditRow({ caller, operation, targetIds, outcome }: AuditRecord) {
  return {
    actorRole: caller.role,
    actorKeyId: 'keyId' in caller ? caller.keyId : null,
    actorId: callerSubject(caller),
    operation,
    targetIds: JSON.stringify([...new Set(targetIds)]),
    outcome,
  };
}

/** Appends one entry to the audit log (append-only: the database refuses changes to entries). */
export async function recordAudit(record: AuditRecord): Promise<void> {
  await db().auditEntry.create({ data: auditRow(record) });
}

/** The mutation being audited: what its successful write must log in its own transaction. */
interface PendingAudit {
  caller: Caller;
  operation: string;
  targetIds: string[];
  /** The type of entity the mutation creates, whose new ID the entry names. */
  creates?: string;
  written: boolean;
}

const pendingAudit = new AsyncLocalStorage<PendingAudit>();

/**
 * Runs a mutation with its audit entry pending: the write's transaction (`auditedTransaction`)
 * appends it, so the entry commits with the write or not at all. Returns whether it was written.
 */
export async function withPendingAudit<T>(
  audit: Omit<PendingAudit, 'written'>,
  mutation: () => Promise<T>,
): Promise<{ result: T; written: boolean }> {
  const pending: PendingAudit = { ...audit, written: false };
  const result = await pendingAudit.run(pending, mutation);
  return { result, written: pending.written };
}

/**
 * A write transaction that also appends the pending audit entry, if a mutation is being
 * audited (scripts and imports write without one). `createdId` names what the write created.
 */
export async function auditedTransaction<T>(work: (tx: Transaction) => Promise<T>, createdId?: (result: T) => number): Promise<T> {
  const pending = pendingAudit.getStore();
  const result = await db().$transaction(async (tx) => {
    const done = await work(tx);
    if (pending) {
      const created = pending.creates && createdId ? [encodeGlobalID(pending.creates, createdId(done))] : [];
      const record = { ...pending, targetIds: [...pending.targetIds, ...created], outcome: 'OK' };
      await tx.auditEntry.create({ data: auditRow(record) });
    }
    return done;
  });
  if (pending) pending.written = true;
  return result;
}

/** Why an attempt is counted rather than audited one by one. */
export type FailedAccessReason = 'INVALID_KEY' | 'ANONYMOUS_MUTATION';

/** Past this many address–reason pairs in one minute, further addresses are counted together. */
const MAX_TALLIED_ADDRESSES = 10_000;
const OTHER_ADDRESSES = '(other addresses)';

/**
 * Failed authentication and refused anonymous mutations, counted in memory per client address,
 * reason and minute, and appended as one row per group when flushed: a flood of them costs the
 * database one row a minute per address, not one per attempt.
 */
export class FailedAccessTally {
  private counts = new Map<string, { minute: Date; address: string; reason: FailedAccessReason; attempts: number }>();

  record(clientAddress: string, reason: FailedAccessReason, at = new Date()): void {
    const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
    let address = clientAddress.slice(0, 64);
    if (!this.counts.has(groupKey(minute, address, reason)) && this.counts.size >= MAX_TALLIED_ADDRESSES) address = OTHER_ADDRESSES;
    const key = groupKey(minute, address, reason);
    const group = this.counts.get(key) ?? { minute, address, reason, attempts: 0 };
    group.attempts++;
    this.counts.set(key, group);
  }

  async flush(): Promise<void> {
    if (this.counts.size === 0) return;
    const groups = [...this.counts.values()];
    this.counts = new Map();
    await db().failedAccess.createMany({ data: groups });
  }
}

function groupKey(minute: Date, address: string, reason: string): string {
  return `${minute.getTime()} ${reason} ${address}`;
}

/** The process's tally; the server flushes it every minute and when it stops. */
export const failedAccess = new FailedAccessTally();
