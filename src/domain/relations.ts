import { z } from 'zod';
import { config } from '../config';
import { db } from '../db/client';
import { type Prisma, type Relation, RelationKind } from '../generated/prisma/client';
import { auditedTransaction } from './audit';
import { type Change, announceCommitted, recordChange, relationRecord } from './changes';
import { InvalidInputError, NotFoundError, RelationsExistError, parseInput } from './errors';
import * as fields from './fields';
import { type Ordering, totalOrder } from './ordering';
import { hasPrismaCode } from './prisma-errors';
import { recordExitsOfDeleted } from './segment-events';

/** Clocks disagree a little; an occurrence this far ahead of ours still counts as "now". */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const MONETARY_KINDS: ReadonlySet<RelationKind> = new Set([RelationKind.PURCHASE, RelationKind.SUBSCRIPTION]);

/** The fields of a relation beyond its two parties, whether it comes from the API or a bulk import. */
export const relationFields = {
  kind: z.enum(RelationKind, { error: `must be one of ${Object.values(RelationKind).join(', ')}` }),
  occurredAt: z
    .date({ error: 'must be a date-time such as 2026-03-01T12:00:00Z' })
    .refine((date) => date.getTime() <= Date.now() + CLOCK_SKEW_MS, 'must not be in the future')
    .nullish(),
  amountMinor: fields.amountMinor.nullish(),
  currency: fields.currency.nullish(),
  rating: fields.rating.nullish(),
  comment: fields.text(2000).nullish(),
};

type KindDependentFields = Pick<z.output<z.ZodObject<typeof relationFields>>, 'kind' | 'amountMinor' | 'currency' | 'rating' | 'comment'>;

/** Which fields each kind requires or refuses: money on purchases and subscriptions, ratings and comments on reviews. */
export function checkKindRules(relation: KindDependentFields, context: z.RefinementCtx): void {
  const monetary = MONETARY_KINDS.has(relation.kind);
  const review = relation.kind === RelationKind.REVIEW;
  expectField(relation, context, 'amountMinor', monetary);
  expectField(relation, context, 'currency', monetary);
  expectField(relation, context, 'rating', review);
  if (!review) expectField(relation, context, 'comment', false);
  checkAmountCeiling(relation, context);
}

// A function of its own, not a closure made per call: an import checks a million relations.
function expectField(relation: KindDependentFields, context: z.RefinementCtx, field: keyof KindDependentFields, wanted: boolean): void {
  const present = relation[field] != null;
  if (present === wanted) return;
  context.addIssue({
    code: 'custom',
    path: [field],
    message: wanted ? `is required for a ${relation.kind} relation` : `is not allowed on a ${relation.kind} relation`,
  });
}

/**
 * One relation's amount must be plausible for its currency (MAX_AMOUNT_MINOR): otherwise any
 * consumer could add billions to any provider's revenue with one purchase.
 */
function checkAmountCeiling({ amountMinor, currency }: KindDependentFields, context: z.RefinementCtx): void {
  if (amountMinor == null || currency == null) return;
  const ceilings = config().maxAmountMinor;
  const ceiling = ceilings[currency] ?? ceilings['*'];
  if (ceiling === undefined || amountMinor <= ceiling) return;
  context.addIssue({
    code: 'custom',
    path: ['amountMinor'],
    message: `must be at most ${ceiling} minor units of ${currency} for one relation (MAX_AMOUNT_MINOR); if such sums are real, the operator can raise MAX_AMOUNT_MINOR`,
  });
}

const recordRelationInput = z
  .object({ consumerId: z.number().int(), providerId: z.number().int(), ...relationFields })
  .superRefine(checkKindRules);

export type RecordRelationInput = z.input<typeof recordRelationInput>;

export interface RelationFilter {
  kinds?: RelationKind[] | null;
  consumerId?: number | null;
  providerId?: number | null;
  /** Inclusive lower bound. */
  occurredFrom?: Date | null;
  /** Exclusive upper bound. */
  occurredBefore?: Date | null;
}

export type RelationOrderField = 'occurredAt' | 'createdAt';

export function relationWhere(filter: RelationFilter | null | undefined): Prisma.RelationWhereInput {
  if (filter?.occurredFrom && filter.occurredBefore && filter.occurredFrom >= filter.occurredBefore) {
    throw InvalidInputError.of('filter.occurredBefore', 'must be later than filter.occurredFrom');
  }
  return {
    ...(filter?.kinds ? { kind: { in: filter.kinds } } : {}),
    ...(filter?.consumerId != null ? { consumerId: filter.consumerId } : {}),
    ...(filter?.providerId != null ? { providerId: filter.providerId } : {}),
    ...(filter?.occurredFrom || filter?.occurredBefore
      ? { occurredAt: { gte: filter.occurredFrom ?? undefined, lt: filter.occurredBefore ?? undefined } }
      : {}),
  };
}

export function relationOrderBy(ordering: Ordering<RelationOrderField>) {
  return totalOrder(ordering);
}

export async function recordRelation(input: RecordRelationInput): Promise<Relation> {
  const data = parseInput(recordRelationInput, input);
  // The foreign keys check that both parties exist: the hottest write spends no query on it.
  const committed = await auditedTransaction(async (tx): Promise<{ change: Change; relation: Relation }> => {
    const relation = await tx.relation.create({ data: { ...data, occurredAt: data.occurredAt ?? new Date() } });
    const change: Change = { type: 'relationRecorded', relation: relationRecord(relation), id: relation.id };
    await recordChange(tx, change);
    return { change, relation };
  }, (created) => created.relation.id).catch(async (error: unknown) => {
    throw hasPrismaCode(error, 'P2003') ? ((await missingParty(data)) ?? error) : error;
  });
  announceCommitted(committed);
  return committed.relation;
}

/** Which party of a refused relation does not exist (none: both do now, and the caller rethrows). */
async function missingParty({ consumerId, providerId }: { consumerId: number; providerId: number }): Promise<NotFoundError | undefined> {
  if (!(await db().consumer.findUnique({ where: { id: consumerId }, select: { id: true } }))) return new NotFoundError('Consumer', 'consumerId');
  if (!(await db().provider.findUnique({ where: { id: providerId }, select: { id: true } }))) return new NotFoundError('Provider', 'providerId');
  return undefined;
}

export async function deleteRelation(id: number): Promise<Relation> {
  try {
    const committed = await auditedTransaction(async (tx): Promise<{ change: Change; relation: Relation }> => {
      const relation = await tx.relation.delete({ where: { id } });
      const change: Change = { type: 'relationRemoved', relation: relationRecord(relation), id: relation.id };
      await recordChange(tx, change);
      return { change, relation };
    });
    announceCommitted(committed);
    return committed.relation;
  } catch (error) {
    if (hasPrismaCode(error, 'P2025')) throw new NotFoundError('Relation', 'id');
    throw error;
  }
}

export interface Deletion {
  deletedRelationCount: number;
}

/**
 * Deletes a consumer or provider. One that still has relations is refused, unless `cascade`
 * asks for its relations to be deleted in the same transaction.
 */
export async function deleteWithRelations(
  entity: 'Consumer' | 'Provider',
  id: number,
  { cascade }: { cascade: boolean },
): Promise<Deletion> {
  const side = entity === 'Consumer' ? 'consumerId' : 'providerId';
  const deleted: Change = { type: 'partyDeleted', party: entity === 'Consumer' ? 'consumer' : 'provider', id };
  const deletedRelationCount = await auditedTransaction(async (tx) => {
    const where = { id };
    const exists =
      entity === 'Consumer'
        ? await tx.consumer.findUnique({ where, select: { id: true } })
        : await tx.provider.findUnique({ where, select: { id: true } });
    if (!exists) throw new NotFoundError(entity, 'id');
    const relations = await tx.relation.count({ where: { [side]: id } });
    if (relations > 0 && !cascade) throw new RelationsExistError(entity, relations);
    await tx.relation.deleteMany({ where: { [side]: id } });
    if (entity === 'Consumer') {
      await recordExitsOfDeleted(tx, [id]);
      await tx.consumer.delete({ where });
    }
    else await tx.provider.delete({ where });
    await recordChange(tx, deleted);
    return relations;
  });
  announceCommitted({ change: deleted });
  return { deletedRelationCount };
}
