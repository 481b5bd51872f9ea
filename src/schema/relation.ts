import { encodeGlobalID } from '@pothos/plugin-relay';
import { visibleRelations } from '../auth/scopes';
import { db } from '../db/client';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import type { RelationFilter } from '../domain/relations';
import { deleteRelation, recordRelation, relationOrderBy, relationWhere } from '../domain/relations';
import { type Prisma, RelationKind } from '../generated/prisma/client';
import { AUDIT_CREATES } from './audit';
import { builder } from './builder';
import { cursorScope } from './cursors';
import { mutationResult } from './errors';
import { idForScope, parseId, parseOptionalId } from './ids';
import { orderInput } from './ordering';

export const RelationKindEnum = builder.enumType(RelationKind, {
  name: 'RelationKind',
  description: 'What a relation records. PURCHASE and SUBSCRIPTION carry an amount; REVIEW carries a rating.',
});

export const RelationNode = builder.prismaNode('Relation', {
  id: { field: 'id' },
  description: 'One interaction between a consumer and a provider.',
  authScopes: (relation) => ({ admin: true, provider: relation.providerId, consumer: relation.consumerId }),
  fields: (t) => ({
    kind: t.expose('kind', { type: RelationKindEnum, description: 'What the relation records.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When it happened (the purchase, the review...).' }),
    amountMinor: t.exposeInt('amountMinor', {
      nullable: true,
      description: 'Amount in minor units of `currency` (cents for EUR); set on purchases and subscriptions.',
    }),
    currency: t.exposeString('currency', { nullable: true, description: 'ISO 4217 code of `amountMinor`.' }),
    rating: t.exposeInt('rating', { nullable: true, description: '1 to 5; set on reviews.' }),
    comment: t.exposeString('comment', { nullable: true, description: 'Text of a review; null once the consumer is erased.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded.' }),
    consumer: t.relation('consumer', { description: 'The consumer of the relation.' }),
    provider: t.relation('provider', { description: 'The provider of the relation.' }),
  }),
});

export const RelationFilterInput = builder.inputType('RelationFilter', {
  description: 'Which relations to list; all conditions must hold.',
  fields: (t) => ({
    kinds: t.field({ type: [RelationKindEnum], required: false, description: 'Only relations of these kinds.' }),
    consumerId: t.id({ required: false, description: 'Only relations of this consumer.' }),
    providerId: t.id({ required: false, description: 'Only relations with this provider.' }),
    occurredFrom: t.field({ type: 'DateTime', required: false, description: 'Inclusive lower bound of occurredAt.' }),
    occurredBefore: t.field({ type: 'DateTime', required: false, description: 'Exclusive upper bound of occurredAt.' }),
  }),
});

type RelationFilterArgs = typeof RelationFilterInput.$inferInput;

/** The domain filter for a GraphQL RelationFilter, with its global IDs decoded. */
export function relationFilter(filter: RelationFilterArgs | null | undefined): RelationFilter | null | undefined {
  return (
    filter && {
      ...filter,
      consumerId: parseOptionalId(filter.consumerId, 'Consumer', 'filter.consumerId'),
      providerId: parseOptionalId(filter.providerId, 'Provider', 'filter.providerId'),
    }
  );
}

export const relationOrder = orderInput(
  'RelationOrder',
  { OCCURRED_AT: 'occurredAt', CREATED_AT: 'createdAt' },
  { field: 'occurredAt', direction: 'desc' },
);

/** Arguments of every list of relations, top-level or nested. */
export const relationListArgs = builder.args((t) => ({
  filter: t.field({ type: RelationFilterInput, required: false, description: 'Only relations that match.' }),
  orderBy: t.field({ type: relationOrder.Input, required: false, description: 'By default newest first.' }),
}));

type RelationListArgs = { filter?: RelationFilterArgs | null; orderBy?: typeof relationOrder.Input.$inferInput | null };

/** The `where` and `orderBy` of a list of relations. */
export function relationListQuery({ filter, orderBy }: RelationListArgs, scope: Prisma.RelationWhereInput = {}) {
  return {
    where: { AND: [relationWhere(relationFilter(filter)), scope] },
    orderBy: relationOrderBy(relationOrder.resolve(orderBy)),
  };
}

builder.queryField('relation', (t) =>
  t.prismaField({
    type: 'Relation',
    nullable: true,
    description:
      'The relation with this ID, or null when none exists or the caller may not see it (as `node`): a non-admin cannot tell the two apart.',
    args: { id: t.arg.id({ required: true, description: 'A global ID of a Relation.' }) },
    resolve: (query, _root, { id }, { caller }) =>
      db().relation.findFirst({ ...query, where: { AND: [{ id: parseId(id, 'Relation', 'id') }, visibleRelations(caller)] } }),
  }),
);

builder.queryField('relations', (t) =>
  t.prismaConnection({
    type: 'Relation',
    cursor: 'id',
    description: "The relations the caller may see (all for admins, else its own), filtered and ordered (newest first).",
    authScopes: { authenticated: true },
    ...cursorScope((_root, args, { caller }) => ({ model: 'relation', where: relationListQuery(args, visibleRelations(caller)).where })),
    args: relationListArgs,
    totalCount: (_connection, args, { caller }) =>
      db().relation.count({ where: relationListQuery(args, visibleRelations(caller)).where }),
    resolve: (query, _root, args, { caller }) =>
      db().relation.findMany({ ...query, ...relationListQuery(args, visibleRelations(caller)) }),
  }),
);

const RecordRelationInput = builder.inputType('RecordRelationInput', {
  description: 'A relation to record; which fields it needs depends on its kind.',
  fields: (t) => ({
    consumerId: t.id({ required: true, description: 'Global ID of the consumer.' }),
    providerId: t.id({ required: true, description: 'Global ID of the provider.' }),
    kind: t.field({ type: RelationKindEnum, required: true, description: 'What to record.' }),
    occurredAt: t.field({ type: 'DateTime', required: false, description: 'Defaults to now; never in the future.' }),
    amountMinor: t.int({ required: false, description: 'Required for PURCHASE and SUBSCRIPTION, in minor units.' }),
    currency: t.string({ required: false, description: 'ISO 4217 code; required with amountMinor.' }),
    rating: t.int({ required: false, description: 'Required for REVIEW: 1 to 5.' }),
    comment: t.string({ required: false, description: 'Optional text of a REVIEW.' }),
  }),
});

builder.mutationField('recordRelation', (t) =>
  t.field({
    type: RelationNode,
    extensions: { [AUDIT_CREATES]: 'Relation' },
    description:
      'Records a purchase, review, subscription or favourite of a consumer with a provider: by an admin, by the consumer, or by the provider for a consumer it already has relations with.',
    args: { input: t.arg({ type: RecordRelationInput, required: true, description: 'The relation.' }) },
    authScopes: (_root, { input }) => {
      const consumerId = idForScope(input.consumerId, 'Consumer');
      return {
        admin: true,
        consumer: consumerId,
        $all: { provider: idForScope(input.providerId, 'Provider'), providerOf: consumerId },
      };
    },
    errors: mutationResult('RecordRelation', 'relation', [InvalidInputError, NotFoundError]),
    resolve: (_root, { input }) =>
      recordRelation({
        ...input,
        consumerId: parseId(input.consumerId, 'Consumer', 'consumerId'),
        providerId: parseId(input.providerId, 'Provider', 'providerId'),
      }),
  }),
);

export const Deletion = builder.objectRef<{ deletedId: string; deletedRelationCount: number }>('Deletion').implement({
  description: 'What a delete removed.',
  fields: (t) => ({
    deletedId: t.exposeID('deletedId', { description: 'Global ID of the deleted object: evict it from client caches; `node` now answers null for it.' }),
    deletedRelationCount: t.exposeInt('deletedRelationCount', {
      description: 'Relations deleted with it (by cascade, or the relation itself).',
    }),
  }),
});

builder.mutationField('deleteRelation', (t) =>
  t.field({
    type: Deletion,
    description: 'Deletes one relation: by an admin, or by the consumer or provider it belongs to.',
    args: { id: t.arg.id({ required: true, description: 'Global ID of the relation.' }) },
    authScopes: async (_root, { id }) => {
      const relation = await db().relation.findUnique({ where: { id: idForScope(id, 'Relation') } });
      // A missing relation is the resolver's NotFoundError for admins, a refusal for others.
      return relation ? { admin: true, provider: relation.providerId, consumer: relation.consumerId } : { admin: true };
    },
    errors: { types: [InvalidInputError, NotFoundError], directResult: true, union: { name: 'DeleteRelationResult', description: 'What deleteRelation returns: `Deletion` or a typed error; tell them apart by `__typename`.' } },
    resolve: async (_root, { id }) => {
      const relation = await deleteRelation(parseId(id, 'Relation', 'id'));
      return { deletedId: encodeGlobalID('Relation', relation.id), deletedRelationCount: 1 };
    },
  }),
);
