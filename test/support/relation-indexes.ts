import { db } from '../../src/db/client';

/** The names of Relation's secondary indexes (the ones a bulk load may defer), sorted. */
export async function relationIndexes(): Promise<string[]> {
  const rows = process.env.DATABASE_URL!.startsWith('file:')
    ? await db().$queryRaw<{ name: string }[]>`SELECT "name" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = 'Relation' AND "sql" IS NOT NULL ORDER BY "name"`
    : await db().$queryRaw<{ name: string }[]>`SELECT indexname::text AS "name" FROM pg_indexes WHERE tablename = 'Relation' AND indexname <> 'Relation_pkey' ORDER BY indexname`;
  return rows.map((row) => row.name);
}
