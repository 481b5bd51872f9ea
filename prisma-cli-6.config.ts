import { defineConfig } from 'prisma-cli-6/config';
import { dialectOf } from './src/db/dialect';
import { migrationAdapter } from './src/db/migration-adapter';

// The configuration of Prisma 6.19's CLI (the `prisma-cli-6` package), which
// `npm run db:new-migration` runs for `db pull` and `migrate diff`: its WebAssembly schema engine
// works through a driver adapter, with no native engine to download, which Prisma 7's CLI cannot.
// Run it through scripts/prisma-cli-6.ts: DATABASE_URL selects PostgreSQL's adapter and migrations
// when it is a postgres:// URL, and PRISMA6_SCHEMA names the copy of the schema that Prisma 6 can
// read (it reads the schema this file names before its arguments, and with no `url` in it, it
// tries to download a query engine).
const databaseUrl = process.env.DATABASE_URL ?? 'file:./data/rapport.db';
const postgres = dialectOf(databaseUrl) === 'postgres';
const schema = process.env.PRISMA6_SCHEMA;
if (!schema) throw new Error('PRISMA6_SCHEMA is not set: run Prisma 6 through scripts/prisma-cli-6.ts');

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => migrationAdapter(databaseUrl),
  schema,
  migrations: { path: postgres ? 'prisma/postgres/migrations' : 'prisma/migrations' },
});
