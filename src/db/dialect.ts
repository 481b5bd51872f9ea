import { config } from '../config';
import type { Prisma } from '../generated/prisma/client';

export type Dialect = 'sqlite' | 'postgres';

/** `postgres://` and `postgresql://` URLs name a PostgreSQL database; `file:` URLs an SQLite file. */
export function dialectOf(databaseUrl: string): Dialect {
  return /^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgres' : 'sqlite';
}

/** Path of the SQLite file named by a `file:` URL. */
export function sqliteFilePath(databaseUrl: string): string {
  return databaseUrl.replace(/^file:/, '').replace(/\?.*$/, '');
}

/** LIKE's wildcards: in a search for text, they stand for themselves. */
const LIKE_WILDCARDS = /[%_\\]/g;

/**
 * A filter for text containing `value` literally, ignoring case on both databases: SQLite's LIKE
 * already does (for ASCII), PostgreSQL needs Prisma's insensitive mode, which SQLite's client
 * refuses. PostgreSQL's LIKE escapes with a backslash; SQLite's, as Prisma writes it, has no
 * escape character, so there `containsWildcard` values must be refused before they get here.
 */
export function containsIgnoringCase(value: string): Prisma.StringFilter {
  return dialectOf(config().databaseUrl) === 'postgres'
    ? ({ contains: value.replace(LIKE_WILDCARDS, '\\$&'), mode: 'insensitive' } as Prisma.StringFilter)
    : { contains: value };
}

/** Whether `value` holds a character that LIKE on this database cannot match literally. */
export function unmatchableLiterally(value: string): boolean {
  return dialectOf(config().databaseUrl) === 'sqlite' && /[%_]/.test(value);
}
