import { z } from 'zod';
import { auditedTransaction } from './audit';
import type { Consumer, Prisma } from '../generated/prisma/client';
import { ConflictError, NotFoundError, parseInput } from './errors';
import * as fields from './fields';
import { type Ordering, totalOrder } from './ordering';
import { hasPrismaCode } from './prisma-errors';
import { recordChange } from './changes';
import { type Deletion, deleteWithRelations } from './relations';

const createConsumerInput = z.object({
  name: fields.name,
  email: fields.email,
  phone: fields.phone.nullish(),
  marketingConsent: z
    .boolean()
    .nullish()
    .transform((consent) => consent ?? false),
});

const updateConsumerInput = z.object({
  name: fields.keptUnlessGiven(fields.name),
  email: fields.keptUnlessGiven(fields.email),
  phone: fields.phone.nullish(),
  marketingConsent: fields.keptUnlessGiven(z.boolean()),
});

export type CreateConsumerInput = z.input<typeof createConsumerInput>;
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

export async function createConsumer(input: CreateConsumerInput): Promise<Consumer> {
  const data = parseInput(createConsumerInput, input);
  try {
    return await auditedTransaction(
      async (tx) => {
        const consumer = await tx.consumer.create({ data });
        await recordChange(tx, { type: 'partyCreated', party: 'consumer', id: consumer.id });
        return consumer;
      },
      (consumer) => consumer.id,
    );
  } catch (error) {
    if (hasPrismaCode(error, 'P2002')) throw new ConflictError('email', EMAIL_TAKEN);
    throw error;
  }
}

export async function updateConsumer(id: number, input: UpdateConsumerInput): Promise<Consumer> {
  const data = parseInput(updateConsumerInput, input);
  try {
    return await auditedTransaction(async (tx) => {
      const consumer = await tx.consumer.update({ where: { id }, data });
      await recordChange(tx, { type: 'partyUpdated', party: 'consumer', id });
      return consumer;
    });
  } catch (error) {
    if (hasPrismaCode(error, 'P2025')) throw new NotFoundError('Consumer', 'id');
    if (hasPrismaCode(error, 'P2002')) throw new ConflictError('email', EMAIL_TAKEN);
    throw error;
  }
}

/** Deletes a consumer; one that still has relations is kept unless `cascade` deletes them too. */
export function deleteConsumer(id: number, options: { cascade: boolean }): Promise<Deletion> {
  return deleteWithRelations('Consumer', id, options);
}
