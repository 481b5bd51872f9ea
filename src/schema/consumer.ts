import { encodeGlobalID } from '@pothos/plugin-relay';
import { type Caller, ForbiddenError } from '../auth/caller';
import { visibleConsumers, visibleRelations } from '../auth/scopes';
import { db } from '../db/client';
import { consumerPage, consumerPageSize } from '../db/consumer-page';
import { asksRowAlone, consumerById } from '../db/rows';
import {
  type ConsumerFilter,
  consumerOrderBy,
  consumerWhere,
  consumerIdByExternalId,
  createConsumer,
  deleteConsumer,
  updateConsumer,
  upsertConsumer,
} from '../domain/consumers';
import { parseExternalId } from '../domain/fields';
import { ConflictError, InvalidInputError, NotFoundError, RelationsExistError } from '../domain/errors';
import { AUDIT_CREATES } from './audit';
import { builder } from './builder';
import { cursorScope } from './cursors';
import { mutationResult } from './errors';
import { idForScope, parseId } from './ids';
import { orderInput } from './ordering';
import { providerListArgs, providerListQuery } from './provider';
import { Deletion, relationListArgs, relationListQuery } from './relation';

export const ConsumerNode = builder.prismaNode('Consumer', {
  id: { field: 'id' },
  description: 'A person who uses providers on the platform.',
  authScopes: (consumer) => ({ admin: true, consumer: consumer.id, providerOf: consumer.id }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Full name; empty once erased.' }),
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: 'Its key in a system the data comes from (imports, integrations); unique among consumers. Null when it has none.',
    }),
    email: t.exposeString('email', {
      nullable: true,
      description: "Visible to the consumer, admins, and providers it has relations with if it consented to marketing. Null once erased.",
      authScopes: (consumer) => ({ admin: true, consumer: consumer.id, ...(consumer.marketingConsent ? { providerOf: consumer.id } : {}) }),
    }),
    phone: t.exposeString('phone', {
      nullable: true,
      description: 'Visible to the consumer and admins only.',
      authScopes: (consumer) => ({ admin: true, consumer: consumer.id }),
    }),
    erasedAt: t.expose('erasedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the personal data was erased at the consumer’s request (eraseConsumer).',
    }),
    marketingConsent: t.exposeBoolean('marketingConsent', { description: 'Whether providers it has relations with may see its email to contact it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the consumer was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the consumer was last changed.' }),
    relations: t.relatedConnection('relations', {
      cursor: 'id',
      totalCount: true,
      description: "This consumer's relations, filtered and ordered (by default newest first). A provider sees only its own.",
      ...cursorScope((consumer, args, { caller }) => ({
        model: 'relation',
        where: relationListQuery(args, { AND: [visibleRelations(caller), { consumerId: consumer.id }] }).where,
      })),
      args: relationListArgs,
      query: (args, { caller }) => relationListQuery(args, visibleRelations(caller)),
    }),
    providers: t.prismaConnection({
      type: 'Provider',
      cursor: 'id',
      description: 'The distinct providers this consumer has at least one relation with.',
      authScopes: (consumer) => ({ admin: true, consumer: consumer.id }),
      ...cursorScope((consumer, args) => ({
        model: 'provider',
        where: providerListQuery(args, { relations: { some: { consumerId: consumer.id } } }).where,
      })),
      args: providerListArgs,
      totalCount: (consumer, args) =>
        db().provider.count({ where: providerListQuery(args, { relations: { some: { consumerId: consumer.id } } }).where }),
      resolve: (query, consumer, args) =>
        db().provider.findMany({ ...query, ...providerListQuery(args, { relations: { some: { consumerId: consumer.id } } }) }),
    }),
  }),
});

const ConsumerFilterInput = builder.inputType('ConsumerFilter', {
  description: 'Which consumers to list; all conditions must hold.',
  fields: (t) => ({
    nameContains: t.string({ required: false, description: 'Names containing this text.' }),
    email: t.string({
      required: false,
      description:
        'Exactly this email, in any letter case; admins only. Emails are stored encrypted, so there is no substring search.',
    }),
  }),
});

const consumerOrder = orderInput(
  'ConsumerOrder',
  { NAME: 'name', CREATED_AT: 'createdAt' },
  { field: 'name', direction: 'asc' },
);

export const consumerListArgs = builder.args((t) => ({
  filter: t.field({ type: ConsumerFilterInput, required: false, description: 'Only consumers that match.' }),
  orderBy: t.field({ type: consumerOrder.Input, required: false, description: 'By default by name.' }),
}));

/**
 * The `where` and `orderBy` of a list of consumers within `scope`. Only admins filter by email:
 * for anyone else, matching a guessed email would reveal it.
 */
export function consumerListQuery(
  args: { filter?: ConsumerFilter | null; orderBy?: typeof consumerOrder.Input.$inferInput | null },
  scope: object,
  caller: Caller,
) {
  if (args.filter?.email && caller.role !== 'ADMIN') {
    throw new ForbiddenError('filter.email is for admin keys only: matching a guessed email would reveal it');
  }
  return {
    where: { AND: [consumerWhere(args.filter), scope] },
    orderBy: consumerOrderBy(consumerOrder.resolve(args.orderBy)),
  };
}

builder.queryFields((t) => ({
  consumer: t.prismaField({
    type: 'Consumer',
    nullable: true,
    description:
      'The consumer with this ID, or null when none exists or the caller may not see it (as `node`): a non-admin cannot tell the two apart.',
    args: { id: t.arg.id({ required: true, description: 'A global ID of a Consumer.' }) },
    resolve: (query, _root, { id }, { caller }) => {
      const consumerId = parseId(id, 'Consumer', 'id');
      const seesWhole = caller.role === 'ADMIN' || (caller.role === 'CONSUMER' && caller.consumerId === consumerId);
      // The common reads by an admin or the consumer itself (the row alone, or the consumer
      // page) go through prepared statements.
      if (seesWhole && asksRowAlone(query)) return consumerById(consumerId);
      const pageSize = seesWhole ? consumerPageSize(consumerId, query) : undefined;
      if (pageSize !== undefined) return consumerPage(consumerId, pageSize);
      return db().consumer.findFirst({ ...query, where: { AND: [{ id: consumerId }, visibleConsumers(caller)] } });
    },
  }),
  consumerByExternalId: t.prismaField({
    type: 'Consumer',
    nullable: true,
    description:
      'The consumer with this external ID (or the one an account with it was merged into), or null when none exists or the caller may not see it, as `consumer(id)`.',
    args: { externalId: t.arg.string({ required: true, description: 'An external ID: letters, digits and . _ : / -, at most 128 characters.' }) },
    resolve: async (query, _root, { externalId }, { caller }) => {
      const id = await consumerIdByExternalId(db(), parseExternalId(externalId));
      return id === undefined ? null : db().consumer.findFirst({ ...query, where: { AND: [{ id }, visibleConsumers(caller)] } });
    },
  }),
  consumers: t.prismaConnection({
    type: 'Consumer',
    cursor: 'id',
    description: 'The consumers the caller may see (all for admins, its customers for a provider), filtered and ordered.',
    authScopes: { authenticated: true },
    ...cursorScope((_root, args, { caller }) => ({ model: 'consumer', where: consumerListQuery(args, visibleConsumers(caller), caller).where })),
    args: consumerListArgs,
    totalCount: (_connection, args, { caller }) =>
      db().consumer.count({ where: consumerListQuery(args, visibleConsumers(caller), caller).where }),
    resolve: (query, _root, args, { caller }) =>
      db().consumer.findMany({ ...query, ...consumerListQuery(args, visibleConsumers(caller), caller) }),
  }),
}));

const CreateConsumerInput = builder.inputType('CreateConsumerInput', {
  description: 'A new consumer.',
  fields: (t) => ({
    externalId: t.string({ required: false, description: 'Its key in another system: letters, digits and . _ : / -, at most 128 characters; unique.' }),
    name: t.string({ required: true, description: 'Full name.' }),
    email: t.string({ required: true, description: 'Unique; stored lower-case.' }),
    phone: t.string({ required: false, description: 'International format, e.g. +44 20 7946 0958.' }),
    marketingConsent: t.boolean({ required: false, description: 'Defaults to false.' }),
  }),
});

const UpdateConsumerInput = builder.inputType('UpdateConsumerInput', {
  description: 'Fields left out are unchanged; phone: null clears the phone number.',
  fields: (t) => ({
    externalId: t.string({ required: false, description: 'New external ID (unique); null removes it.' }),
    name: t.string({ required: false, description: 'New full name.' }),
    email: t.string({ required: false, description: 'New email; unique, stored lower-case.' }),
    phone: t.string({ required: false, description: 'New phone number in international format; null clears it.' }),
    marketingConsent: t.boolean({ required: false, description: 'Give or withdraw marketing consent.' }),
  }),
});

const UpsertConsumerInput = builder.inputType('UpsertConsumerInput', {
  description: 'The consumer named by an external ID: all of it when new; an existing one keeps the phone and consent left out.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Full name.' }),
    email: t.string({ required: true, description: 'Unique; stored lower-case.' }),
    phone: t.string({ required: false, description: 'International format; null clears it on an existing consumer.' }),
    marketingConsent: t.boolean({ required: false, description: 'Defaults to false for a new consumer; left out, an existing one keeps its own.' }),
  }),
});

builder.mutationFields((t) => ({
  upsertConsumer: t.field({
    type: ConsumerNode,
    description:
      'Creates the consumer with this external ID, or updates the one it names (admins only): for integrations that know consumers by their own keys.',
    extensions: { [AUDIT_CREATES]: 'Consumer' },
    authScopes: { admin: true },
    args: {
      externalId: t.arg.string({ required: true, description: 'The consumer’s key in the calling system.' }),
      input: t.arg({ type: UpsertConsumerInput, required: true, description: 'Its fields.' }),
    },
    errors: mutationResult('UpsertConsumer', 'consumer', [InvalidInputError, ConflictError]),
    resolve: async (_root, { externalId, input }) => (await upsertConsumer(externalId, input)).consumer,
  }),
  createConsumer: t.field({
    type: ConsumerNode,
    description: 'Creates a consumer (admins only); its email must not be in use.',
    extensions: { [AUDIT_CREATES]: 'Consumer' },
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateConsumerInput, required: true, description: 'The new consumer.' }) },
    errors: mutationResult('CreateConsumer', 'consumer', [InvalidInputError, ConflictError]),
    resolve: (_root, { input }) => createConsumer(input),
  }),
  updateConsumer: t.field({
    type: ConsumerNode,
    description: 'Changes a consumer: by an admin, or by the consumer itself.',
    authScopes: (_root, { id }) => ({ admin: true, consumer: idForScope(id, 'Consumer') }),
    args: {
      id: t.arg.id({ required: true, description: 'Global ID of the consumer.' }),
      input: t.arg({ type: UpdateConsumerInput, required: true, description: 'The fields to change.' }),
    },
    errors: mutationResult('UpdateConsumer', 'consumer', [InvalidInputError, NotFoundError, ConflictError]),
    resolve: (_root, { id, input }) => updateConsumer(parseId(id, 'Consumer', 'id'), input),
  }),
  deleteConsumer: t.field({
    type: Deletion,
    description:
      'Deletes a consumer (admins only). One with relations is refused unless cascade is true; eraseConsumer keeps them, anonymised.',
    authScopes: { admin: true },
    args: {
      id: t.arg.id({ required: true, description: 'Global ID of the consumer.' }),
      cascade: t.arg.boolean({ defaultValue: false, description: 'Also delete its relations; without it, a consumer with relations is refused.' }),
    },
    errors: {
      types: [InvalidInputError, NotFoundError, RelationsExistError],
      directResult: true,
      union: { name: 'DeleteConsumerResult', description: 'What deleteConsumer returns: `Deletion` or a typed error; tell them apart by `__typename`.' },
    },
    resolve: async (_root, { id, cascade }) => {
      const consumerId = parseId(id, 'Consumer', 'id');
      const { deletedRelationCount } = await deleteConsumer(consumerId, { cascade: cascade ?? false });
      return { deletedId: encodeGlobalID('Consumer', consumerId), deletedRelationCount };
    },
  }),
}));
