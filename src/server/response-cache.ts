import { createHash } from 'node:crypto';
import { type BuildResponseCacheKeyFunction, createInMemoryCache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import stableStringify from 'fast-json-stable-stringify';
import { type DocumentNode, type GraphQLSchema, Kind, getOperationAST, isObjectType } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { lastChangeId } from '../db/change-log';

/**
 * Stored data only: the directory of consumers, providers and relations, with what is computed
 * from them at read time. Any other field (analytics, which answer from a graph that may still be
 * catching up; the audit log and keys, which the change log does not record; fields added later)
 * makes a document uncacheable.
 */
const CACHEABLE: Record<string, string[]> = {
  Query: ['consumer', 'consumers', 'provider', 'providers', 'relations'],
  Consumer: ['id', 'name', 'email', 'phone', 'erasedAt', 'marketingConsent', 'createdAt', 'updatedAt', 'relations', 'providers'],
  Provider: ['id', 'name', 'category', 'contactEmail', 'website', 'description', 'createdAt', 'updatedAt', 'relations', 'consumers', 'stats'],
  Relation: ['id', 'kind', 'occurredAt', 'amountMinor', 'currency', 'rating', 'comment', 'createdAt', 'consumer', 'provider'],
};
/** Bounds memory, not staleness: an answer is never served past a write (see the session). */
const TTL_MS = 60_000;
const MAX_ANSWERS = 5_000;

/** Every field of the listed types that is not cacheable, with a TTL of 0: documents selecting one are not cached. */
function uncacheableFields(schema: GraphQLSchema): Record<string, number> {
  const ttls: Record<string, number> = {};
  for (const [typeName, cacheable] of Object.entries(CACHEABLE)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`the response cache names ${typeName}, which the schema lacks`);
    for (const field of Object.keys(type.getFields())) if (!cacheable.includes(field)) ttls[`${typeName}.${field}`] = 0;
  }
  return ttls;
}

/**
 * Whether a query asks for a root field that is never cached (an analytics answer, say). The
 * cache would compute a TTL of 0 for it and store nothing, but only after walking every value of
 * the answer to collect its entities: for the explorer's graphOverview (a thousand objects) that
 * walk was a fifth of the request's time.
 */
function asksUncacheableRoot(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return false;
  return operation.selectionSet.selections.some(
    (selection) => selection.kind === Kind.FIELD && selection.name.value !== '__typename' && !CACHEABLE.Query.includes(selection.name.value),
  );
}

/**
 * The plugin's own key, hashed here synchronously: its default goes through WebCrypto, a job on
 * libuv's thread pool and a promise per request, and every request pays it, cacheable or not.
 */
const cacheKey: BuildResponseCacheKeyFunction = ({ documentString, operationName, variableValues, sessionId }) =>
  createHash('sha256')
    .update([documentString, operationName ?? '', stableStringify(variableValues ?? {}), sessionId ?? ''].join('|'))
    .digest('hex');

/**
 * Caches query answers per API key (graphql-yoga's response cache), keyed by the change log's
 * last id as well: a write committed by any process moves it, so no answer is served after a
 * write, and a revoked key (a logged change) never meets an answer cached before. The id is the
 * one admission read when it checked the request's key (`changeIdOf`), before the request's
 * execution as a read here would be: only requests without a key read it here.
 */
export function responseCache(schema: GraphQLSchema, changeIdOf: (request: Request) => number | undefined): Plugin[] {
  const uncacheable = new WeakSet<Request>();
  const skipUncacheable: Plugin = {
    onExecute({ args }) {
      if (asksUncacheableRoot(args.document, args.operationName)) uncacheable.add((args.contextValue as { request: Request }).request);
    },
  };
  const cache = useResponseCache({
    enabled: (request) => !uncacheable.has(request),
    cache: createInMemoryCache({ max: MAX_ANSWERS }),
    ttl: TTL_MS,
    ttlPerSchemaCoordinate: uncacheableFields(schema),
    buildResponseCacheKey: cacheKey,
    session: async (request) => {
      const authorization = request.headers.get('authorization');
      const caller = authorization ? createHash('sha256').update(authorization).digest('base64url') : 'anonymous';
      return `${changeIdOf(request) ?? (await lastChangeId())}:${caller}`;
    },
  }) as Plugin;
  return [skipUncacheable, cache];
}
