import { z } from 'zod';
import { db } from '../db/client';
import { Prisma, type Provider } from '../generated/prisma/client';
import { auditedTransaction } from './audit';
import { recordChange } from './changes';
import { ConflictError, NotFoundError, parseInput } from './errors';
import * as fields from './fields';
import { type Ordering, totalOrder } from './ordering';
import { hasPrismaCode, violatesUnique } from './prisma-errors';
import { type Deletion, deleteWithRelations } from './relations';

const category = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

const createProviderInput = z.object({
  externalId: fields.externalId.nullish(),
  name: fields.name,
  contactEmail: fields.email,
  category,
  website: fields.url.nullish(),
  description: fields.text(5000).nullish(),
});

const updateProviderInput = z.object({
  externalId: fields.externalId.nullish(),
  name: fields.keptUnlessGiven(fields.name),
  contactEmail: fields.keptUnlessGiven(fields.email),
  category: fields.keptUnlessGiven(category),
  website: fields.url.nullish(),
  description: fields.text(5000).nullish(),
});

/** An upsert by external ID: the fields of a new provider; on an existing one, website and description left out are kept. */
const upsertProviderInput = createProviderInput.omit({ externalId: true });

export type CreateProviderInput = z.input<typeof createProviderInput>;
export type UpsertProviderInput = z.input<typeof upsertProviderInput>;
export type UpdateProviderInput = z.input<typeof updateProviderInput>;

export interface ProviderFilter {
  nameContains?: string | null;
  category?: string | null;
}

export type ProviderOrderField = 'name' | 'category' | 'createdAt';

export function providerWhere(filter: ProviderFilter | null | undefined): Prisma.ProviderWhereInput {
  return {
    ...(filter?.nameContains ? { name: fields.nameSearch(filter.nameContains, 'filter.nameContains') } : {}),
    ...(filter?.category ? { category: filter.category.trim().toLowerCase() } : {}),
  };
}

export function providerOrderBy(ordering: Ordering<ProviderOrderField>) {
  return totalOrder(ordering);
}

const EXTERNAL_ID_TAKEN = 'is already the external ID of another provider';

function conflictOf(error: unknown): unknown {
  return violatesUnique(error, 'externalId') ? new ConflictError('externalId', EXTERNAL_ID_TAKEN) : error;
}

export async function createProvider(input: CreateProviderInput): Promise<Provider> {
  const data = parseInput(createProviderInput, input);
  try {
    return await auditedTransaction(
      async (tx) => {
        const provider = await tx.provider.create({ data });
        await recordChange(tx, { type: 'partyCreated', party: 'provider', id: provider.id });
        return provider;
      },
      (provider) => provider.id,
    );
  } catch (error) {
    throw conflictOf(error);
  }
}

/** Creates the provider with this external ID, or updates the one it names. Says which it did. */
export async function upsertProvider(externalId: string, input: UpsertProviderInput): Promise<{ provider: Provider; created: boolean }> {
  const key = fields.parseExternalId(externalId);
  const { website, description, ...data } = parseInput(upsertProviderInput, input);
  try {
    return await auditedTransaction(
      async (tx) => {
        const existing = await tx.provider.findUnique({ where: { externalId: key }, select: { id: true } });
        if (!existing) {
          const provider = await tx.provider.create({ data: { ...data, website, description, externalId: key } });
          await recordChange(tx, { type: 'partyCreated', party: 'provider', id: provider.id });
          return { provider, created: true };
        }
        const kept = { ...(website !== undefined ? { website } : {}), ...(description !== undefined ? { description } : {}) };
        const provider = await tx.provider.update({ where: { id: existing.id }, data: { ...data, ...kept } });
        await recordChange(tx, { type: 'partyUpdated', party: 'provider', id: provider.id });
        return { provider, created: false };
      },
      (upserted) => upserted.provider.id,
    );
  } catch (error) {
    throw conflictOf(error);
  }
}

export async function updateProvider(id: number, input: UpdateProviderInput): Promise<Provider> {
  const data = parseInput(updateProviderInput, input);
  try {
    return await auditedTransaction(async (tx) => {
      const provider = await tx.provider.update({ where: { id }, data });
      await recordChange(tx, { type: 'partyUpdated', party: 'provider', id });
      return provider;
    });
  } catch (error) {
    if (hasPrismaCode(error, 'P2025')) throw new NotFoundError('Provider', 'id');
    throw conflictOf(error);
  }
}

/** Deletes a provider; one that still has relations is kept unless `cascade` deletes them too. */
export function deleteProvider(id: number, options: { cascade: boolean }): Promise<Deletion> {
  return deleteWithRelations('Provider', id, options);
}

export interface Money {
  currency: string;
  amountMinor: number;
}

export interface ProviderStats {
  relationCount: number;
  distinctConsumers: number;
  /** Mean of the review ratings, each consumer's latest review counting once; null without reviews. */
  averageRating: number | null;
  /** Total of purchase and subscription amounts, one entry per currency, in currency order. */
  revenue: Money[];
}

/** Aggregates for many providers in two queries, in the order of `ids`. */
export async function providerStats(ids: readonly number[]): Promise<ProviderStats[]> {
  if (ids.length === 0) return [];
  const [counts, revenue] = await Promise.all([
    // Each consumer's latest review counts once: repeating reviews must not move a rating.
    db().$queryRaw<{ providerId: number; relations: bigint | number; consumers: bigint | number; rating: number | null }[]>`
      SELECT "providerId", COUNT(*) AS relations, COUNT(DISTINCT "consumerId") AS consumers,
        AVG(CASE WHEN "latest" = 1 THEN "rating" END) AS rating
      FROM (
        SELECT "providerId", "consumerId", "rating",
          ROW_NUMBER() OVER (PARTITION BY "providerId", "consumerId", ("rating" IS NULL) ORDER BY "occurredAt" DESC, "id" DESC) AS "latest"
        FROM "Relation" WHERE "providerId" IN (${Prisma.join(ids)})
      ) AS "relations"
      GROUP BY "providerId"`,
    db().relation.groupBy({
      by: ['providerId', 'currency'],
      where: { providerId: { in: [...ids] }, amountMinor: { not: null } },
      _sum: { amountMinor: true },
      orderBy: [{ providerId: 'asc' }, { currency: 'asc' }],
    }),
  ]);
  const stats = new Map<number, ProviderStats>(
    ids.map((id) => [id, { relationCount: 0, distinctConsumers: 0, averageRating: null, revenue: [] }]),
  );
  for (const row of counts) {
    const entry = stats.get(Number(row.providerId))!;
    entry.relationCount = Number(row.relations);
    entry.distinctConsumers = Number(row.consumers);
    entry.averageRating = row.rating === null ? null : Number(row.rating);
  }
  for (const row of revenue) {
    stats.get(row.providerId)!.revenue.push({ currency: row.currency!, amountMinor: row._sum.amountMinor ?? 0 });
  }
  return ids.map((id) => stats.get(id)!);
}
