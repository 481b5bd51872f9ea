import { encodeGlobalID } from '@pothos/plugin-relay';
import { customersOf } from '../auth/scopes';
import { db } from '../db/client';
import { asksRowAlone, providerById } from '../db/rows';
import { ConflictError, InvalidInputError, NotFoundError, RelationsExistError } from '../domain/errors';
import { parseExternalId } from '../domain/fields';
import {
  type ProviderFilter,
  type ProviderStats,
  createProvider,
  deleteProvider,
  upsertProvider,
  providerOrderBy,
  providerStats,
  providerWhere,
  updateProvider,
} from '../domain/providers';
import { AUDIT_CREATES } from './audit';
import { builder } from './builder';
import { cursorScope } from './cursors';
import { consumerListArgs, consumerListQuery } from './consumer';
import { mutationResult } from './errors';
import { idForScope, parseId } from './ids';
import { orderInput } from './ordering';
import { Deletion, relationListArgs, relationListQuery } from './relation';

const Money = builder.objectRef<ProviderStats['revenue'][number]>('Money').implement({
  description: 'An amount of money in one currency.',
  fields: (t) => ({
    currency: t.exposeString('currency', { description: 'ISO 4217 code.' }),
    amountMinor: t.expose('amountMinor', { type: 'SafeInt', description: 'Amount in minor units of the currency.' }),
  }),
});

const ProviderStatsRef = builder.objectRef<ProviderStats>('ProviderStats').implement({
  description: 'Aggregates over all relations with a provider.',
  fields: (t) => ({
    relationCount: t.exposeInt('relationCount', { description: 'Relations of every kind.' }),
    distinctConsumers: t.exposeInt('distinctConsumers', { description: 'Consumers with at least one relation.' }),
    averageRating: t.exposeFloat('averageRating', {
      nullable: true,
      description: "Mean rating of the reviews, each consumer's latest review counting once; null when there are no reviews.",
    }),
    revenue: t.field({
      type: [Money],
      description: 'Purchases and subscriptions summed per currency, without conversion.',
      resolve: (stats) => stats.revenue,
    }),
  }),
});

export const ProviderNode = builder.prismaNode('Provider', {
  id: { field: 'id' },
  description: 'A third-party provider offering services on the platform: the public directory.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name.' }),
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: 'Its key in a system the data comes from (imports, integrations); unique among providers. Null when it has none.',
    }),
    contactEmail: t.exposeString('contactEmail', { description: 'Where the platform and consumers reach the provider.' }),
    category: t.exposeString('category', { description: 'Lower-case category, e.g. "streaming".' }),
    website: t.exposeString('website', { nullable: true, description: 'An http(s) URL.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the provider offers, in its own words.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the provider was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the provider was last changed.' }),
    stats: t.loadable({
      type: ProviderStatsRef,
      description: 'Aggregates over all relations with this provider; for the provider and admins.',
      authScopes: (provider) => ({ admin: true, provider: provider.id }),
      load: (ids: number[]) => providerStats(ids),
      resolve: (provider) => provider.id,
    }),
    relations: t.relatedConnection('relations', {
      cursor: 'id',
      totalCount: true,
      description: "This provider's relations, filtered and ordered (by default newest first); for the provider and admins.",
      authScopes: (provider) => ({ admin: true, provider: provider.id }),
      ...cursorScope((provider, args) => ({ model: 'relation', where: relationListQuery(args, { providerId: provider.id }).where })),
      args: relationListArgs,
      query: (args) => relationListQuery(args),
    }),
    consumers: t.prismaConnection({
      type: 'Consumer',
      cursor: 'id',
      description: 'The distinct consumers with at least one relation with this provider; for the provider and admins.',
      authScopes: (provider) => ({ admin: true, provider: provider.id }),
      ...cursorScope((provider, args, { caller }) => ({
        model: 'consumer',
        where: consumerListQuery(args, customersOf(provider.id), caller).where,
      })),
      args: consumerListArgs,
      totalCount: (provider, args, { caller }) =>
        db().consumer.count({ where: consumerListQuery(args, customersOf(provider.id), caller).where }),
      resolve: (query, provider, args, { caller }) =>
        db().consumer.findMany({ ...query, ...consumerListQuery(args, customersOf(provider.id), caller) }),
    }),
  }),
});

const ProviderFilterInput = builder.inputType('ProviderFilter', {
  description: 'Which providers to list; all conditions must hold.',
  fields: (t) => ({
    nameContains: t.string({ required: false, description: 'Names containing this text.' }),
    category: t.string({ required: false, description: 'Exact category, case-insensitive.' }),
  }),
});

const providerOrder = orderInput(
  'ProviderOrder',
  { NAME: 'name', CATEGORY: 'category', CREATED_AT: 'createdAt' },
  { field: 'name', direction: 'asc' },
);

export const providerListArgs = builder.args((t) => ({
  filter: t.field({ type: ProviderFilterInput, required: false, description: 'Only providers that match.' }),
  orderBy: t.field({ type: providerOrder.Input, required: false, description: 'By default by name.' }),
}));

export function providerListQuery(
  args: { filter?: ProviderFilter | null; orderBy?: typeof providerOrder.Input.$inferInput | null },
  scope: object = {},
) {
  return {
    where: { AND: [providerWhere(args.filter), scope] },
    orderBy: providerOrderBy(providerOrder.resolve(args.orderBy)),
  };
}

builder.queryFields((t) => ({
  provider: t.prismaField({
    type: 'Provider',
    nullable: true,
    description: 'The provider with this ID, or null when none exists (as `node`). Providers are public.',
    args: { id: t.arg.id({ required: true, description: 'A global ID of a Provider.' }) },
    resolve: (query, _root, { id }) => {
      const providerId = parseId(id, 'Provider', 'id');
      return asksRowAlone(query) ? providerById(providerId) : db().provider.findUnique({ ...query, where: { id: providerId } });
    },
  }),
  providerByExternalId: t.prismaField({
    type: 'Provider',
    nullable: true,
    description: 'The provider with this external ID, or null when none exists (as `provider(id)`). Providers are public.',
    args: { externalId: t.arg.string({ required: true, description: 'An external ID: letters, digits and . _ : / -, at most 128 characters.' }) },
    resolve: (query, _root, { externalId }) => db().provider.findUnique({ ...query, where: { externalId: parseExternalId(externalId) } }),
  }),
  providers: t.prismaConnection({
    type: 'Provider',
    cursor: 'id',
    description: 'All providers, filtered and ordered (by default by name).',
    ...cursorScope((_root, args) => ({ model: 'provider', where: providerListQuery(args).where })),
    args: providerListArgs,
    totalCount: (_connection, args) => db().provider.count({ where: providerListQuery(args).where }),
    resolve: (query, _root, args) => db().provider.findMany({ ...query, ...providerListQuery(args) }),
  }),
}));

const CreateProviderInput = builder.inputType('CreateProviderInput', {
  description: 'A new provider.',
  fields: (t) => ({
    externalId: t.string({ required: false, description: 'Its key in another system: letters, digits and . _ : / -, at most 128 characters; unique.' }),
    name: t.string({ required: true, description: 'Display name.' }),
    contactEmail: t.string({ required: true, description: 'Where the platform and consumers reach the provider.' }),
    category: t.string({ required: true, description: 'Stored lower-case, e.g. "streaming".' }),
    website: t.string({ required: false, description: 'An http(s) URL.' }),
    description: t.string({ required: false, description: 'What the provider offers.' }),
  }),
});

const UpdateProviderInput = builder.inputType('UpdateProviderInput', {
  description: 'Fields left out are unchanged; website or description: null clears them.',
  fields: (t) => ({
    externalId: t.string({ required: false, description: 'New external ID (unique); null removes it.' }),
    name: t.string({ required: false, description: 'New display name.' }),
    contactEmail: t.string({ required: false, description: 'New contact email.' }),
    category: t.string({ required: false, description: 'New category; stored lower-case.' }),
    website: t.string({ required: false, description: 'New http(s) URL; null clears it.' }),
    description: t.string({ required: false, description: 'New description; null clears it.' }),
  }),
});

const UpsertProviderInput = builder.inputType('UpsertProviderInput', {
  description: 'The provider named by an external ID: all of it when new; an existing one keeps the website and description left out.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name.' }),
    contactEmail: t.string({ required: true, description: 'Where the platform and consumers reach the provider.' }),
    category: t.string({ required: true, description: 'Stored lower-case, e.g. "streaming".' }),
    website: t.string({ required: false, description: 'An http(s) URL; null clears it on an existing provider.' }),
    description: t.string({ required: false, description: 'What the provider offers; null clears it on an existing provider.' }),
  }),
});

builder.mutationFields((t) => ({
  upsertProvider: t.field({
    type: ProviderNode,
    description: 'Creates the provider with this external ID, or updates the one it names (admins only).',
    extensions: { [AUDIT_CREATES]: 'Provider' },
    authScopes: { admin: true },
    args: {
      externalId: t.arg.string({ required: true, description: 'The provider’s key in the calling system.' }),
      input: t.arg({ type: UpsertProviderInput, required: true, description: 'Its fields.' }),
    },
    errors: mutationResult('UpsertProvider', 'provider', [InvalidInputError, ConflictError]),
    resolve: async (_root, { externalId, input }) => (await upsertProvider(externalId, input)).provider,
  }),
  createProvider: t.field({
    type: ProviderNode,
    description: 'Creates a provider (admins only).',
    extensions: { [AUDIT_CREATES]: 'Provider' },
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateProviderInput, required: true, description: 'The new provider.' }) },
    errors: mutationResult('CreateProvider', 'provider', [InvalidInputError, ConflictError]),
    resolve: (_root, { input }) => createProvider(input),
  }),
  updateProvider: t.field({
    type: ProviderNode,
    description: 'Changes a provider: by an admin, or by the provider itself.',
    authScopes: (_root, { id }) => ({ admin: true, provider: idForScope(id, 'Provider') }),
    args: {
      id: t.arg.id({ required: true, description: 'Global ID of the provider.' }),
      input: t.arg({ type: UpdateProviderInput, required: true, description: 'The fields to change.' }),
    },
    errors: mutationResult('UpdateProvider', 'provider', [InvalidInputError, NotFoundError, ConflictError]),
    resolve: (_root, { id, input }) => updateProvider(parseId(id, 'Provider', 'id'), input),
  }),
  deleteProvider: t.field({
    type: Deletion,
    description: 'Deletes a provider (admins only). One with relations is refused unless cascade is true.',
    authScopes: { admin: true },
    args: {
      id: t.arg.id({ required: true, description: 'Global ID of the provider.' }),
      cascade: t.arg.boolean({ defaultValue: false, description: 'Also delete its relations; without it, a provider with relations is refused.' }),
    },
    errors: {
      types: [InvalidInputError, NotFoundError, RelationsExistError],
      directResult: true,
      union: { name: 'DeleteProviderResult', description: 'What deleteProvider returns: `Deletion` or a typed error; tell them apart by `__typename`.' },
    },
    resolve: async (_root, { id, cascade }) => {
      const providerId = parseId(id, 'Provider', 'id');
      const { deletedRelationCount } = await deleteProvider(providerId, { cascade: cascade ?? false });
      return { deletedId: encodeGlobalID('Provider', providerId), deletedRelationCount };
    },
  }),
}));
