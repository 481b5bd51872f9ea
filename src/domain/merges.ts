import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Transaction } from '../db/change-log';
import type { Consumer } from '../generated/prisma/client';
import { auditedTransaction } from './audit';
import { type Change, recordChange, relationRecord } from './changes';
import { ErasedConsumerError, type FieldIssue, InvalidInputError, NotFoundError } from './errors';
import { recordExitsOfDeleted } from './segment-events';

/** Accounts merged at once: a person's duplicates, not a bulk operation. */
export const MAX_MERGED_CONSUMERS = 20;

/**
 * Past this many moved relations, the merge logs one `bulkLoaded` instead of a change per
 * relation: followers past that many changes read afresh anyway (src/analytics/serving).
 */
const MAX_RELATION_CHANGES = 1000;

export interface Merge {
  consumer: Consumer;
  movedRelationCount: number;
  revokedKeyCount: number;
}

/** Refuses a merge list that is empty, too long, repeats an ID or names the survivor, before any read. */
function checkMergeList(into: number, from: readonly number[]): void {
  if (from.length === 0) throw InvalidInputError.of('from', 'must name at least one consumer to merge');
  if (from.length > MAX_MERGED_CONSUMERS) throw InvalidInputError.of('from', `must name at most ${MAX_MERGED_CONSUMERS} consumers`);
  const issues: FieldIssue[] = [];
  from.forEach((id, index) => {
    if (id === into) issues.push({ field: `from.${index}`, message: 'is the consumer merged into: a consumer cannot be merged into itself' });
    else if (from.indexOf(id) !== index) issues.push({ field: `from.${index}`, message: `repeats from.${from.indexOf(id)}` });
  });
  if (issues.length > 0) throw new InvalidInputError(issues);
}

/** The survivor and the merged consumers, all existing and none erased, or the typed error naming the first that is not. */
async function mergedParties(tx: Transaction, into: number, from: readonly number[]) {
  const rows = await tx.consumer.findMany({
    where: { id: { in: [into, ...from] } },
    select: { id: true, externalId: true, createdAt: true, marketingConsent: true, erasedAt: true },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const fields: [number, string][] = [[into, 'into'], ...from.map((id, index): [number, string] => [id, `from.${index}`])];
  for (const [id, field] of fields) {
    const row = byId.get(id);
    if (!row) throw new NotFoundError('Consumer', field);
    if (row.erasedAt) throw new ErasedConsumerError(field);
  }
  return { survivor: byId.get(into)!, merged: from.map((id) => byId.get(id)!) };
}

/**
 * Merges the accounts `from` into the consumer `into`, in one transaction: their relations move
 * to `into` (keeping their IDs), `into` keeps the earliest creation time and gives marketing
 * consent only if every account gave it, their API keys are revoked, a ConsumerMerge row per
 * account records the merge (and keeps its external ID as an alias of `into`), and the merged
 * consumers are deleted. The change log says it as deletions and recorded relations, so every
 * follower (analytics, key cache) sees the merged nodes go and their ties move to `into`.
 */
export async function mergeConsumers(into: number, from: readonly number[]): Promise<Merge> {
  checkMergeList(into, from);
  return auditedTransaction(async (tx) => {
    const { survivor, merged } = await mergedParties(tx, into, from);
    const revokedKeyCount = await revokeKeys(tx, from);
    const moved = await moveRelations(tx, into, from);
    await tx.consumerMerge.createMany({
      data: merged.map((account) => ({ intoId: into, mergedId: account.id, mergedExternalId: account.externalId, mergedCreatedAt: account.createdAt })),
    });
    // Aliases of the merged accounts now name the survivor.
    await tx.consumerMerge.updateMany({ where: { intoId: { in: [...from] } }, data: { intoId: into } });
    await recordExitsOfDeleted(tx, from);
    await tx.consumer.deleteMany({ where: { id: { in: [...from] } } });
    const parties = [survivor, ...merged];
    const consumer = await tx.consumer.update({
      where: { id: into },
      data: {
        createdAt: new Date(Math.min(...parties.map((party) => party.createdAt.getTime()))),
        marketingConsent: parties.every((party) => party.marketingConsent),
      },
    });
    await recordChange(tx, { type: 'consumersMerged', into, from: [...from] });
    for (const id of from) await recordChange(tx, { type: 'partyDeleted', party: 'consumer', id });
    for (const change of moved.changes) await recordChange(tx, change);
    await recordChange(tx, { type: 'partyUpdated', party: 'consumer', id: into });
    return { consumer, movedRelationCount: moved.count, revokedKeyCount };
  });
}

async function revokeKeys(tx: Transaction, consumerIds: readonly number[]): Promise<number> {
  const keys = await tx.apiKey.findMany({ where: { consumerId: { in: [...consumerIds] }, revokedAt: null }, select: { id: true } });
  if (keys.length === 0) return 0;
  const ids = keys.map((key) => key.id);
  await tx.apiKey.updateMany({ where: { id: { in: ids } }, data: { revokedAt: new Date() } });
  await recordChange(tx, { type: 'apiKeysRevoked', ids });
  return ids.length;
}

/** Re-points the merged accounts' relations to `into`; the changes that say so, logged after the deletions. */
async function moveRelations(tx: Transaction, into: number, from: readonly number[]): Promise<{ count: number; changes: Change[] }> {
  const where = { consumerId: { in: [...from] } };
  const count = await tx.relation.count({ where });
  const relations = count > MAX_RELATION_CHANGES ? [] : await tx.relation.findMany({ where, orderBy: { id: 'asc' } });
  await tx.relation.updateMany({ where, data: { consumerId: into } });
  const changes: Change[] =
    count > MAX_RELATION_CHANGES
      ? [{ type: 'bulkLoaded' }]
      : relations.map((relation) => ({ type: 'relationRecorded', relation: relationRecord({ ...relation, consumerId: into }) }));
  return { count, changes };
}

/** The accounts merged into a consumer, for its data export. */
export async function mergedAccounts(tx: Pick<Transaction, 'consumerMerge'>, into: number) {
  const rows = await tx.consumerMerge.findMany({ where: { intoId: into }, orderBy: { id: 'asc' } });
  return rows.map((row) => ({
    id: encodeGlobalID('Consumer', row.mergedId),
    externalId: row.mergedExternalId,
    createdAt: row.mergedCreatedAt.toISOString(),
    mergedAt: row.mergedAt.toISOString(),
  }));
}
