import type pg from 'pg';

/**
 * The pg driver, required on first use rather than imported: a server on embedded SQLite never
 * loads it (nor, see client.ts, PostgreSQL's Prisma client), which saves about 0.06 s of every
 * start (docs/performance.md). Modules that serve PostgreSQL only import pg as usual.
 */
export function pgDriver(): typeof pg {
  return require('pg') as typeof pg;
}
