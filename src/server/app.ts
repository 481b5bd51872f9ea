import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { createYoga, maskError as maskUnexpectedError } from 'graphql-yoga';
import { DomainError } from '../domain/errors';
import { schema } from '../schema';
import { EXAMPLE_QUERY } from './example-query';
import type { Logger } from './logger';

export interface AppOptions {
  logger: Logger;
  production: boolean;
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

export function createApp({ logger, production }: AppOptions) {
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: { title: 'Rapport', defaultQuery: EXAMPLE_QUERY },
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
