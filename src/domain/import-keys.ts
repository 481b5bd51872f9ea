import type { Db } from '../db/client';
import { recordChange } from './changes';
import * as fields from './fields';
import { IMPORTED_NAMES, importedPartyEmail } from './imports';

/** The data step of migration 20261130194248_external_ids, named by its PendingDataMigration row. */
const STEP = 'import_keys_to_external_id';
const BATCH = 500;

export interface MovedImportKeys {
  /** Parties whose key moved from `name` to `externalId`. */
  moved: number;
  /** Imported parties renamed through the API since: their name is real, their key is lost (only a hash of it was kept). */
  keyUnknown: number;
  /** Keys that break the external ID rules (fields.externalId): left in `name`. */
  keyInvalid: number;
  /** Keys another party of the same kind holds already (two providers imported with one key): left in `name`. */
  keyTaken: number;
}

type Candidate = { id: number; name: string; derivedEmail: string | null };

/**
 * Before external IDs, an import kept a party's key in `name` and found it again by an email
 * derived from the key (importedPartyEmail): encrypted for consumers, so this step needs the
 * keyring and runs in the server rather than in SQL. For every party whose email is still the
 * one derived from its name, the name is its key: it moves to `externalId`, the name becomes
 * IMPORTED_NAMES' (no real name was ever given), and a consumer's made-up email goes. A party
 * whose email is derived but whose name is not its key was renamed through the API: that name is
 * real and stays, and its key cannot be recovered. Runs once (a pending row marks it); a crash
 * leaves the row, and the next start finishes the work: each batch commits on its own.
 */
export async function moveImportKeysToExternalIds(db: Db): Promise<MovedImportKeys | null> {
  if (!(await db.pendingDataMigration.findUnique({ where: { name: STEP } }))) return null;
  const counts: MovedImportKeys = { moved: 0, keyUnknown: 0, keyInvalid: 0, keyTaken: 0 };
  await eachBatch(
    (after) =>
      db.provider
        .findMany({
          where: { id: { gt: after }, externalId: null, contactEmail: { startsWith: 'provider-', endsWith: '@import.invalid' } },
          select: { id: true, name: true, contactEmail: true },
          orderBy: { id: 'asc' },
          take: BATCH,
        })
        .then((rows) => rows.map(({ id, name, contactEmail }) => ({ id, name, derivedEmail: contactEmail }))),
    (batch) => moveKeys(db, 'provider', batch, counts),
  );
  await eachBatch(
    (after) =>
      db.consumer
        .findMany({
          where: { id: { gt: after }, externalId: null, erasedAt: null, emailHash: { not: null } },
          select: { id: true, name: true, email: true },
          orderBy: { id: 'asc' },
          take: BATCH,
        })
        .then((rows) => rows.map(({ id, name, email }) => ({ id, name, derivedEmail: email }))),
    (batch) => moveKeys(db, 'consumer', batch, counts),
  );
  await db.$transaction(async (tx) => {
    if (counts.moved > 0) await recordChange(tx, { type: 'bulkLoaded' });
    // deleteMany: two processes starting together may both finish the step; the second deletes nothing.
    await tx.pendingDataMigration.deleteMany({ where: { name: STEP } });
  });
  return counts;
}

async function eachBatch(read: (after: number) => Promise<Candidate[]>, handle: (batch: Candidate[]) => Promise<void>) {
  for (let after = 0; ; ) {
    const batch = await read(after);
    if (batch.length === 0) return;
    await handle(batch);
    after = batch[batch.length - 1].id;
  }
}

const DERIVED = /^(consumer|provider)-[0-9a-f]{24}@import\.invalid$/;

async function moveKeys(db: Db, side: 'consumer' | 'provider', batch: Candidate[], counts: MovedImportKeys): Promise<void> {
  const imported = batch.filter((party) => party.derivedEmail !== null && DERIVED.test(party.derivedEmail) && party.derivedEmail.startsWith(side));
  const keyed = imported.filter((party) => importedPartyEmail(side, party.name) === party.derivedEmail);
  counts.keyUnknown += imported.length - keyed.length;
  const valid = keyed.filter((party) => fields.externalId.safeParse(party.name).data === party.name);
  counts.keyInvalid += keyed.length - valid.length;
  const keys = valid.map((party) => party.name);
  const where = { externalId: { in: keys } };
  const held = new Set(
    (side === 'consumer' ? await db.consumer.findMany({ where, select: { externalId: true } }) : await db.provider.findMany({ where, select: { externalId: true } })).map(
      (party) => party.externalId,
    ),
  );
  const free = valid.filter((party, index) => !held.has(party.name) && keys.indexOf(party.name) === index);
  counts.keyTaken += valid.length - free.length;
  if (free.length === 0) return;
  await db.$transaction(
    free.map(({ id, name: key }) =>
      side === 'consumer'
        ? db.consumer.update({ where: { id }, data: { externalId: key, name: IMPORTED_NAMES.consumer, email: null } })
        : db.provider.update({ where: { id }, data: { externalId: key, name: IMPORTED_NAMES.provider } }),
    ),
  );
  counts.moved += free.length;
}
