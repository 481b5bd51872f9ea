import { type Caller, callerSubject } from '../auth/caller';
import { db } from '../db/client';

export interface AuditRecord {
  caller: Caller;
  operation: string;
  /** Global IDs the operation named or created; never personal data. */
  targetIds: string[];
  /** `OK`, or the name of the error that stopped it. */
  outcome: string;
}

/** Appends one entry to the audit log (append-only: the database refuses changes to entries). */
export async function recordAudit({ caller, operation, targetIds, outcome }: AuditRecord): Promise<void> {
  await db().auditEntry.create({
    data: {
      actorRole: caller.role,
      actorKeyId: 'keyId' in caller ? caller.keyId : null,
      actorId: callerSubject(caller),
      operation,
      targetIds: JSON.stringify([...new Set(targetIds)]),
      outcome,
    },
  });
}
