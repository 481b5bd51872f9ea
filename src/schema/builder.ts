import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateTimeResolver, JSONObjectResolver, SafeIntResolver } from 'graphql-scalars';
import type { Caller } from '../auth/caller';
import { type AuthScopes, refusal, scopesFor } from '../auth/scopes';
import { db } from '../db/client';
import type PrismaTypes from '../generated/pothos-prisma-types';
import ConnectionDescriptionsPlugin from './connection-descriptions';
import { getDatamodel } from '../generated/pothos-prisma-types';

/** What resolvers know about the request: who is asking. */
export interface Context {
  caller: Caller;
  /** The client's network address, for counting what it attempts; never shown to anyone. */
  clientAddress: string;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: AuthScopes;
  PrismaTypes: PrismaTypes;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    SafeInt: { Input: number; Output: number };
    JSONObject: { Input: Record<string, unknown>; Output: object };
    ID: { Input: string; Output: string | number };
  };
}>({
  // Relay first, so that scope checks see parsed IDs; then scope-auth before anything that runs resolvers.
  plugins: [RelayPlugin, ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, DataloaderPlugin, ConnectionDescriptionsPlugin],
  scopeAuth: {
    // A refused object is one error at the field that returned it, not one per selected field.
    runScopesOnType: true,
    authorizeOnSubscribe: true,
    authScopes: (context) => scopesFor(context.caller),
    unauthorizedError: (_parent, context, info) => refusal(context.caller, info),
  },
  prisma: {
    client: () => db(),
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'error',
    maxConnectionSize: 100,
    defaultConnectionSize: 20,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // node and nodes are ours (src/schema/lookups.ts): null for what a caller may not see, typed errors for malformed IDs.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    nodeTypeOptions: { description: 'An object with a global ID, which `node` and `nodes` find again (Relay Global Object Identification).' },
    idFieldOptions: { description: 'Global ID: opaque, unique across all types, stable; pass it to `node` to fetch this object again.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its list (Relay cursor connections).' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page (when paging forward with `first`).' },
    hasPreviousPageFieldOptions: { description: 'Whether items precede this page (when paging backward with `last`).' },
    startCursorFieldOptions: { description: 'The cursor of the first item of this page; null when the page is empty.' },
    endCursorFieldOptions: { description: 'The cursor of the last item of this page: pass it as `after` for the next page.' },
    firstArgOptions: { description: 'Page forward: at most this many items (at most 100) after `after`.' },
    afterArgOptions: { description: 'Start after the item with this cursor (`pageInfo.endCursor` of the previous page).' },
    lastArgOptions: { description: 'Page backward: at most this many items (at most 100) before `before`.' },
    beforeArgOptions: { description: 'End before the item with this cursor (`pageInfo.startCursor` of the next page).' },
  },
  errors: { defaultTypes: [] },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('SafeInt', SafeIntResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);

builder.queryType({ description: 'What can be read: consumers, providers, relations, and analytics over the relation graph.' });
builder.mutationType({ description: 'Writes; each returns a union of a success type and typed errors.' });
builder.subscriptionType({ description: 'Live updates, served as Server-Sent Events on /graphql.' });
