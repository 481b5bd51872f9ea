import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { type Plugin, type YogaInitialContext, createYoga, maskError as maskUnexpectedError } from 'graphql-yoga';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { analytics } from '../analytics/serving';
import { failedAccess } from '../domain/audit';
import { config } from '../config';
import { db } from '../db/client';
import { DomainError } from '../domain/errors';
import type { Context } from '../schema/builder';
import { schema } from '../schema';
import { closeLiveEvents } from '../live/events';
import { EXAMPLE_QUERY, EXAMPLE_TABS } from './example-query';
import { useExplorer } from './explorer';
import { type Logger, yogaLogging } from './logger';
import {
  type IntrospectionAccess,
  type TrustedDocuments,
  parseErrorCache,
  parsedDocumentCache,
  hostileQueryPlugins,
  readTrustedDocuments,
  useTrustedDocuments,
} from './protection';
import { type RateLimitOptions, createAdmission } from './admission';
import { useStreamLimit } from './streams';
import { useTurns } from './turns';
import { useBodyLimit } from './body-limit';
import { MAX_EXPORTED_MEMBERS, SEGMENT_EXPORT_PREFIX, useSegmentExport } from './segment-export';
import { createMetrics } from './metrics';
import { requestLog } from './request-log';
import { responseCache } from './response-cache';

const defaultRateLimit = (): RateLimitOptions => ({
  perMinute: config().rateLimitPerMinute,
  perAddressPerMinute: config().rateLimitPerAddressPerMinute,
  authFailuresPerMinute: config().authFailuresPerMinute,
  concurrentPerAddress: config().concurrentRequestsPerAddress,
  redisUrl: config().redisUrl,
});

/** Documents whose parse (and validation) results are kept, by hash. */
const DOCUMENT_CACHE_ENTRIES = 1_000;

export interface AppOptions {
  logger: Logger;
  production: boolean;
  graphiql?: boolean;
  /** Overrides of the configured rate limits. */
  rateLimit?: Partial<RateLimitOptions>;
  /** Defaults to the configuration's RESPONSE_CACHE. */
  cacheResponses?: boolean;
  /** Who may introspect; by default `INTROSPECTION`, else admins only in production. */
  introspection?: IntrospectionAccess;
  /** Largest response sent, in bytes; by default MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
  /** Trusted-documents mode: the only documents non-admins may run; by default TRUSTED_DOCUMENTS's file. */
  trustedDocuments?: TrustedDocuments;
  /** Serve the explorer page at /explorer; with GraphiQL by default. */
  explorer?: boolean;
  /** Members one segment CSV export holds at most; by default MAX_EXPORTED_MEMBERS. */
  maxExportedMembers?: number;
}

function configuredTrustedDocuments(): TrustedDocuments | undefined {
  const file = config().trustedDocuments;
  return file ? readTrustedDocuments(readFileSync(file, 'utf8')) : undefined;
}

/** Errors the caller caused keep their message; anything else is logged and masked. */
function errorMasker(logger: Logger) {
  return (error: unknown, message: string, isDev?: boolean) => {
    const cause = error instanceof GraphQLError ? error.originalError : error;
    if (cause instanceof DomainError || cause instanceof PothosValidationError) {
      const path = error instanceof GraphQLError ? error.path : undefined;
      return new GraphQLError(cause.message, { path, extensions: { code: cause.name } });
    }
    if (error instanceof GraphQLError && !cause) return error;
    logger.error({ err: cause }, 'unexpected error while executing a GraphQL operation');
    return maskUnexpectedError(error, message, isDev);
  };
}

/**
 * /ready answers 200 when the database answers and the relation graph has been loaded from it,
 * else 503. yoga's own readiness plugin matches every request's URL against a URLPattern: 2% of
 * a { __typename } request.
 */
function useReadiness(logger: Logger): Plugin {
  const ready = async (): Promise<boolean> => {
    try {
      await db().$queryRaw`SELECT 1`;
    } catch (error) {
      logger.warn({ err: error }, 'not ready: the database does not answer');
      return false;
    }
    return analytics().projection.isLoaded;
  };
  return {
    async onRequest({ url, endResponse }) {
      if (url.pathname === '/ready') endResponse(new Response(null, { status: (await ready()) ? 200 : 503 }));
    },
  };
}

/**
 * Appends the process's counts of failed attempts to the database (the server does so every
 * minute, and an app when it is disposed); a failure is logged.
 */
export function flushFailedAccess(logger: Logger): Promise<void> {
  return failedAccess.flush().catch((error: unknown) => logger.warn({ err: error }, 'counting failed attempts failed'));
}

export function createApp({
  logger,
  production,
  graphiql = true,
  rateLimit,
  cacheResponses = config().responseCache,
  introspection = config().introspection,
  trustedDocuments = configuredTrustedDocuments(),
  maxResponseBytes = config().maxResponseBytes,
  explorer = graphiql,
  maxExportedMembers = MAX_EXPORTED_MEMBERS,
}: AppOptions) {
  const admission = createAdmission({ ...defaultRateLimit(), ...rateLimit }, failedAccess, ['/graphql', SEGMENT_EXPORT_PREFIX]);
  return createYoga<{ req?: IncomingMessage }, Context>({
    schema,
    context: ({ request }: YogaInitialContext) => admission.admittedOf(request),
    plugins: [
      // Static files: before admission, which budgets GraphQL requests only.
      ...(explorer ? [useExplorer()] : []),
      requestLog(logger),
      createMetrics(),
      useReadiness(logger),
      admission.plugin,
      useTurns(),
      useSegmentExport((request) => admission.admittedOf(request).caller, maxExportedMembers),
      ...(trustedDocuments ? [useTrustedDocuments(trustedDocuments, (request) => admission.admittedOf(request).caller)] : []),
      useBodyLimit(config().maxBodyBytes),
      ...hostileQueryPlugins({ production, introspection, maxResponseBytes }),
      useStreamLimit(config().maxStreamsPerKey),
      // After admission: a cached answer is still counted against its caller's budget.
      ...(cacheResponses ? responseCache(schema, admission.changeIdOf) : []),
      {
        onDispose: async () => {
          await flushFailedAccess(logger);
          await closeLiveEvents();
        },
      },
    ],
    // Enforced by useBodyLimit, which counts only the bodies whose length node:http has not fixed.
    maxRequestBodySize: false,
    // Trusted-documents mode accepts operations by hash (src/server/protection.ts).
    extraParamNames: ['documentId'],
    parserAndValidationCache: { documentCache: parsedDocumentCache(DOCUMENT_CACHE_ENTRIES), errorCache: parseErrorCache(DOCUMENT_CACHE_ENTRIES) },
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: graphiql && { title: 'Rapport', defaultQuery: EXAMPLE_QUERY, defaultTabs: EXAMPLE_TABS },
    // GraphiQL from the npm package, not from a CDN: the explorer works offline and behind firewalls.
    // Its module is large and only GraphiQL pages need it: loaded on the first.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    maskedErrors: { maskError: errorMasker(logger), isDev: !production },
    logging: yogaLogging(logger),
  });
}

export type App = ReturnType<typeof createApp>;
