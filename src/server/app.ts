import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { type YogaInitialContext, createYoga, maskError as maskUnexpectedError, useReadinessCheck } from 'graphql-yoga';
import type { IncomingMessage } from 'node:http';
import { analytics } from '../analytics/serving';
import { AuthenticationError } from '../auth/caller';
import { authenticate } from '../auth/keys';
import { config } from '../config';
import { db } from '../db/client';
import { DomainError } from '../domain/errors';
import type { Context } from '../schema/builder';
import { schema } from '../schema';
import { closeSharedEvents } from '../schema/subscriptions';
import { EXAMPLE_QUERY, EXAMPLE_TABS } from './example-query';
import type { Logger } from './logger';
import { type RateLimitOptions, createRateLimiter, hostileQueryPlugins } from './protection';
import { createMetrics } from './metrics';
import { requestLog } from './request-log';
import { responseCache } from './response-cache';

const defaultRateLimit = () => ({ perMinute: config().rateLimitPerMinute, redisUrl: config().redisUrl });

export interface AppOptions {
  logger: Logger;
  production: boolean;
  graphiql?: boolean;
  rateLimit?: RateLimitOptions;
  /** Defaults to the configuration's RESPONSE_CACHE. */
  cacheResponses?: boolean;
}

/** Who is asking, from the Authorization header; a bad key is refused with 401 before anything runs. */
async function callerOf(request: Request) {
  try {
    return await authenticate(request.headers.get('authorization'));
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    throw new GraphQLError(error.message, {
      extensions: { code: error.name, http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
    });
  }
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

/** Ready when the database answers and the relation graph has been loaded from it. */
function readiness(logger: Logger) {
  return async (): Promise<boolean> => {
    try {
      await db().$queryRaw`SELECT 1`;
    } catch (error) {
      logger.warn({ err: error }, 'not ready: the database does not answer');
      return false;
    }
    return analytics().projection.isLoaded;
  };
}

export function createApp({
  logger,
  production,
  graphiql = true,
  rateLimit: limits = defaultRateLimit(),
  cacheResponses = config().responseCache,
}: AppOptions) {
  const rateLimit = createRateLimiter(limits);
  return createYoga<{ req?: IncomingMessage }, Context>({
    schema,
    context: async ({ request, req }: YogaInitialContext & { req?: IncomingMessage }) => {
      const caller = await callerOf(request);
      await rateLimit.check(caller, req?.socket.remoteAddress ?? 'in-process');
      return { caller };
    },
    plugins: [
      requestLog(logger),
      createMetrics(),
      useReadinessCheck({ endpoint: '/ready', check: readiness(logger) }),
      ...hostileQueryPlugins(production),
      rateLimit.plugin,
      ...(cacheResponses ? [responseCache(schema)] : []),
      { onDispose: closeSharedEvents },
    ],
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: graphiql && { title: 'Rapport', defaultQuery: EXAMPLE_QUERY, defaultTabs: EXAMPLE_TABS },
    // GraphiQL from the npm package, not from a CDN: the explorer works offline and behind firewalls.
    renderGraphiQL,
    maskedErrors: { maskError: errorMasker(logger), isDev: !production },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      error: (...args) => logger.error(args.map(String).join(' ')),
    },
  });
}

export type App = ReturnType<typeof createApp>;
