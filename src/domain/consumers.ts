import { z } from 'zod';
import { auditedTransaction } from './audit';
import type { Consumer, Prisma } from '../generated/prisma/client';
import { ConflictError, NotFoundError, parseInput } from './errors';
import * as fields from './fields';
import { type Ordering, totalOrder } from './ordering';
import { hasPrismaCode, violatesUnique } from './prisma-errors';
import type { Transaction } from '../db/change-log';
import { recordChange } from './changes';
import { type Deletion, deleteWithRelations } from './relations';

const createConsumerInput = z.object({
  externalId: fields.externalId.nullish(),
  name: fields.name,
  email: fields.email,
  phone: fields.phone.nullish(),
  marketingConsent: z
    .boolean()
    .nullish()
    .transform((consent) => consent ?? false),
});

const updateConsumerInput = z.object({
  externalId: fields.externalId.nullish(),
  name: fields.keptUnlessGiven(fields.name),
  email: fields.keptUnlessGiven(fields.email),
  phone: fields.phone.nullish(),
  marketingConsent: fields.keptUnlessGiven(z.boolean()),
});

/** An upsert by external ID: the fields of a new consumer; on an existing one, those left out are kept. */
const upsertConsumerInput = z.object({
  name: fields.name,
  email: fields.email,
  phone: fields.phone.nullish(),
  marketingConsent: z.boolean().nullish(),
});

export type CreateConsumerInput = z.input<typeof createConsumerInput>;
export type UpsertConsumerInput = z.input<typeof upsertConsumerInput>;
export type UpdateConsumerInput = z.input<typeof updateConsumerInput>;

export interface ConsumerFilter {
  nameContains?: string | null;
  /** An exact (case-insensitive) email: emails are stored encrypted, so no substring search. */
  email?: string | null;
}

export type ConsumerOrderField = 'name' | 'createdAt';

export function consumerWhere(filter: ConsumerFilter | null | undefined): Prisma.ConsumerWhereInput {
  return {
    ...(filter?.nameContains ? { name: fields.nameSearch(filter.nameContains, 'filter.nameContains') } : {}),
    ...(filter?.email ? { email: filter.email } : {}),
  };
}

export function consumerOrderBy(ordering: Ordering<ConsumerOrderField>) {
  return totalOrder(ordering);
}

const EMAIL_TAKEN = 'is already used by another consumer';
const EXTERNAL_ID_TAKEN = 'is already the external ID of another consumer (or of one merged into it)';

/** A uniqueness violation as the field it concerns, or the error itself. */
function conflictOf(error: unknown): unknown {
  if (violatesUnique(error, 'externalId')) return new ConflictError('externalId', EXTERNAL_ID_TAKEN);
  if (hasPrismaCode(error, 'P2002')) return new ConflictError('email', EMAIL_TAKEN);
  return error;
}

/**
 * The consumer an external ID names: its own, or that of a consumer merged into it (an alias,
 * see mergeConsumers), so that a merged account's key keeps finding the survivor.
 */
export async function consumerIdByExternalId(tx: Transaction, externalId: string): Promise<number | undefined> {
  const own = await tx.consumer.findUnique({ where: { externalId }, select: { id: true } });
  if (own) return own.id;
  const alias = await tx.consumerMerge.findUnique({ where: { mergedExternalId: externalId }, select: { intoId: true } });
  return alias?.intoId;
}

/**
 * Refuses an external ID that a merged account left behind: it keeps naming the survivor (which
 * it finds already), and one key names one consumer, own or alias.
 */
async function refuseAlias(tx: Transaction, externalId: string | null | undefined): Promise<void> {
  if (!externalId) return;
  const alias = await tx.consumerMerge.findUnique({ where: { mergedExternalId: externalId }, select: { id: true } });
  if (alias) throw new ConflictError('externalId', EXTERNAL_ID_TAKEN);
}

export async function createConsumer(input: CreateConsumerInput): Promise<Consumer> {
  const data = parseInput(createConsumerInput, input);
  try {
    return await auditedTransaction(
      async (tx) => {
        await refuseAlias(tx, data.externalId);
        const consumer = await tx.consumer.create({ data });
        await recordChange(tx, { type: 'partyCreated', party: 'consumer', id: consumer.id });
        return consumer;
      },
      (consumer) => consumer.id,
    );
  } catch (error) {
    throw conflictOf(error);
  }
}

export async function updateConsumer(id: number, input: UpdateConsumerInput): Promise<Consumer> {
  const data = parseInput(updateConsumerInput, input);
  try {
    return await auditedTransaction(async (tx) => {
      await refuseAlias(tx, data.externalId);
      const consumer = await tx.consumer.update({ where: { id }, data });
      await recordChange(tx, { type: 'partyUpdated', party: 'consumer', id });
      return consumer;
    });
  } catch (error) {
    if (hasPrismaCode(error, 'P2025')) throw new NotFoundError('Consumer', 'id');
    throw conflictOf(error);
  }
}

/**
 * Creates the consumer with this external ID, or updates the one it names (its own or, after a
 * merge, the survivor's). Says which it did.
 */
export async function upsertConsumer(externalId: string, input: UpsertConsumerInput): Promise<{ consumer: Consumer; created: boolean }> {
  const key = fields.parseExternalId(externalId);
  const { marketingConsent, phone, ...data } = parseInput(upsertConsumerInput, input);
  try {
    return await auditedTransaction(
      async (tx) => {
        const existing = await consumerIdByExternalId(tx, key);
        if (existing === undefined) {
          const consumer = await tx.consumer.create({ data: { ...data, phone, externalId: key, marketingConsent: marketingConsent ?? false } });
          await recordChange(tx, { type: 'partyCreated', party: 'consumer', id: consumer.id });
          return { consumer, created: true };
        }
        const kept = { ...(phone !== undefined ? { phone } : {}), ...(marketingConsent != null ? { marketingConsent } : {}) };
        const consumer = await tx.consumer.update({ where: { id: existing }, data: { ...data, ...kept } });
        await recordChange(tx, { type: 'partyUpdated', party: 'consumer', id: existing });
        return { consumer, created: false };
      },
      (upserted) => upserted.consumer.id,
    );
  } catch (error) {
    throw conflictOf(error);
  }
}

/** Deletes a consumer; one that still has relations is kept unless `cascade` deletes them too. */
export function deleteConsumer(id: number, options: { cascade: boolean }): Promise<Deletion> {
  return deleteWithRelations('Consumer', id, options);
}
