import { GraphQLError } from 'graphql';
import pino from 'pino';
import type { Config } from '../config';

export type Logger = pino.Logger;

/**
 * Personal fields, wherever a log line holds them (one or two levels down), and whatever a caller
 * sent (variables, documents, headers). The top-level `name` is the logger's own, so only nested
 * names are hidden.
 */
const REDACTED = ['email', 'phone', 'comment', 'variables', 'query', 'authorization'].flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
]);

export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream): Logger {
  return pino({ name: 'rapport', level, redact: { paths: [...REDACTED, '*.name', '*.*.name'], censor: '[redacted]' } }, destination);
}

/** A caller's error as the log keeps it: its code and path, with quoted values (input echoed back) left out. */
function summary(error: GraphQLError) {
  return {
    code: error.extensions?.code ?? error.originalError?.name,
    path: error.path?.join('.'),
    message: error.message.replace(/"[^"]*"/g, '"…"'),
  };
}

/**
 * yoga's logger, on ours. yoga logs every error a response carries, with the document's source
 * excerpt: errors callers cause (refusals, bad input) go to debug as a summary without source or
 * values; unexpected errors are logged in full by the error masker already.
 */
export function yogaLogging(logger: Logger) {
  const text = (args: unknown[]) => args.map(String).join(' ');
  return {
    debug: (...args: unknown[]) => logger.debug(text(args)),
    info: (...args: unknown[]) => logger.info(text(args)),
    warn: (...args: unknown[]) => logger.warn(text(args)),
    error: (...args: unknown[]) => {
      const errors = args.filter((arg): arg is GraphQLError => arg instanceof GraphQLError);
      if (errors.length > 0) logger.debug({ errors: errors.map(summary) }, 'answered with errors');
      else logger.error(text(args));
    },
  };
}
