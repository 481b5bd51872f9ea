import { encodeGlobalID } from '@pothos/plugin-relay';
import { db, flushErasedData } from '../db/client';
import type { Consumer } from '../generated/prisma/client';
import { auditedTransaction } from './audit';
import { recordChange } from './changes';
import { NotFoundError } from './errors';
import { mergedAccounts } from './merges';
import { hasPrismaCode } from './prisma-errors';

const ERASED_NAME = 'Erased consumer';

/** Everything Rapport holds about one consumer (GDPR access), as plain data for download. */
export async function exportConsumerData(id: number) {
  const consumer = await db().consumer.findUnique({
    where: { id },
    include: {
      relations: { orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }], include: { provider: { select: { id: true, name: true } } } },
      apiKeys: { select: { id: true, role: true, label: true, prefix: true, createdAt: true, revokedAt: true } },
    },
  });
  if (!consumer) throw new NotFoundError('Consumer', 'id');
  const globalId = encodeGlobalID('Consumer', id);
  const auditTrail = await db().auditEntry.findMany({
    where: { OR: [{ actorId: globalId }, { targetIds: { contains: `"${globalId}"` } }] },
    orderBy: { id: 'asc' },
  });
  const { relations, apiKeys, ...profile } = consumer;
  const merged = await mergedAccounts(db(), id);
  return {
    exportedAt: new Date().toISOString(),
    consumer: {
      id: globalId,
      externalId: profile.externalId,
      name: profile.name,
      email: profile.email,
      phone: profile.phone,
      marketingConsent: profile.marketingConsent,
      createdAt: profile.createdAt.toISOString(),
      updatedAt: profile.updatedAt.toISOString(),
      erasedAt: profile.erasedAt?.toISOString() ?? null,
    },
    relations: relations.map(({ provider, id: relationId, kind, occurredAt, amountMinor, currency, rating, comment }) => ({
      id: encodeGlobalID('Relation', relationId),
      provider: { id: encodeGlobalID('Provider', provider.id), name: provider.name },
      kind,
      occurredAt: occurredAt.toISOString(),
      amountMinor,
      currency,
      rating,
      comment,
    })),
    /** Accounts merged into this one (mergeConsumers), with their external IDs that still find it. */
    mergedAccounts: merged,
    apiKeys: apiKeys.map((key) => ({ ...key, createdAt: key.createdAt.toISOString(), revokedAt: key.revokedAt?.toISOString() ?? null })),
    auditTrail: auditTrail.map(({ at, operation, actorRole, outcome }) => ({ at: at.toISOString(), operation, actorRole, outcome })),
  };
}

/**
 * Erases a consumer's personal data (GDPR erasure): name, email, phone and review comments go,
 * consent is withdrawn and its API keys are revoked. The relations stay, anonymised, so that
 * providers' statistics and the relation graph (which holds no personal data) remain correct.
 */
export async function eraseConsumer(id: number): Promise<{ consumer: Consumer; anonymisedRelationCount: number }> {
  const now = new Date();
  try {
    const erased = await auditedTransaction(async (tx) => {
      const consumer = await tx.consumer.update({
        where: { id },
        data: { name: ERASED_NAME, email: null, phone: null, marketingConsent: false, erasedAt: now },
      });
      const comments = await tx.relation.updateMany({ where: { consumerId: id, comment: { not: null } }, data: { comment: null } });
      await recordChange(tx, { type: 'partyUpdated', party: 'consumer', id, erased: true });
      const keys = await tx.apiKey.findMany({ where: { consumerId: id, revokedAt: null }, select: { id: true } });
      if (keys.length > 0) {
        await tx.apiKey.updateMany({ where: { id: { in: keys.map((key) => key.id) } }, data: { revokedAt: now } });
        await recordChange(tx, { type: 'apiKeysRevoked', ids: keys.map((key) => key.id) });
      }
      return { consumer, anonymisedRelationCount: comments.count };
    });
    await flushErasedData();
    return erased;
  } catch (error) {
    if (hasPrismaCode(error, 'P2025')) throw new NotFoundError('Consumer', 'id');
    throw error;
  }
}
