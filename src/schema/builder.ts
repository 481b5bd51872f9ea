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
  plugins: [RelayPlugin, ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, DataloaderPlugin],
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
  relay: { clientMutationId: 'omit', cursorType: 'String' },
  errors: { defaultTypes: [] },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('SafeInt', SafeIntResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
