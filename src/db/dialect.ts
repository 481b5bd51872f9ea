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

/**
 * A filter for text containing `value`, ignoring case on both databases: SQLite's LIKE already
 * does (for ASCII), PostgreSQL needs Prisma's insensitive mode, which SQLite's client refuses.
 */
export function containsIgnoringCase(value: string): Prisma.StringFilter {
  return dialectOf(config().databaseUrl) === 'postgres'
    ? ({ contains: value, mode: 'insensitive' } as Prisma.StringFilter)
    : { contains: value };
}
