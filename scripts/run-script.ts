import { ConfigError } from '../src/config';
import { disconnectDb } from '../src/db/client';
import { DomainError } from '../src/domain/errors';

/** A command line the script cannot act on: it says why, and exits with 2. */
export class UsageError extends Error {}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs a command-line script's `main`, whose result is the exit code (0 when it returns none).
 * A usage error exits with 2, and an error the user can act on (configuration, input, or one of
 * `expected`) with 1, each printing its message after `name`; anything else prints its stack.
 * The database connection is closed either way.
 */
export function runScript(name: string, main: () => Promise<number | void> | number | void, expected: ErrorClass[] = []): void {
  Promise.resolve()
    .then(main)
    .then((code) => {
      process.exitCode = code ?? 0;
    })
    .catch((error: unknown) => {
      const actionable = [ConfigError, DomainError, ...expected].some((kind) => error instanceof kind);
      if (error instanceof UsageError || actionable) console.error(`${name}: ${(error as Error).message}`);
      else console.error(error);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    })
    .finally(() => disconnectDb());
}
