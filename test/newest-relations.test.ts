import { db } from '../src/db/client';
import { consumerPageStatements } from '../src/db/consumer-page';
import { onPostgres } from './support/test-database';

// A party's newest relations (a consumer's page through the driver, a provider's through Prisma)
// are read in the order of an index: a page costs its size, not the party's whole history,
// which for a large provider is tens of thousands of relations to sort.

/** What Prisma asks for a provider's relations, newest first (its parameters numbered as PostgreSQL's). */
const PROVIDER_PAGE = `SELECT "id", "kind", "occurredAt" FROM "Relation" WHERE "providerId" = $1
  ORDER BY "occurredAt" DESC, "id" DESC LIMIT $2 OFFSET $3`;

async function planOf(sql: string, params: unknown[]): Promise<string> {
  if (!onPostgres) {
    const rows = await db().$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql.replace(/\$\d+/g, '?')}`, ...params);
    return rows.map((row) => row.detail).join('\n');
  }
  // A test's table is so small that PostgreSQL would read it whole, or by bitmap, and sort the
  // few rows: the question is whether an index gives the order when a table is large enough.
  return db().$transaction(async (tx) => {
    await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
    await tx.$executeRawUnsafe('SET LOCAL enable_bitmapscan = off');
    const rows = await tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, ...params);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

const sorted = (plan: string) => /TEMP B-TREE FOR ORDER BY|^\s*(->\s*)?(Incremental )?Sort\b/m.test(plan);

test("a consumer's page reads its newest relations in index order, unsorted", async () => {
  const plan = await planOf(consumerPageStatements().relations.sql, [1, 21]);
  expect(plan).toContain('Relation_consumerId_occurredAt_id_idx');
  expect(sorted(plan)).toBe(false);
});

test("a provider's relations, newest first, are read in index order, unsorted", async () => {
  const plan = await planOf(PROVIDER_PAGE, [1, 21, 0]);
  expect(plan).toContain('Relation_providerId_occurredAt_id_idx');
  expect(sorted(plan)).toBe(false);
});
