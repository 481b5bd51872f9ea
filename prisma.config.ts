import { defineConfig } from 'prisma/config';
import { dialectOf } from './src/db/dialect';
import { migrationAdapter } from './src/db/migration-adapter';

// The Prisma CLI (migrate deploy, migrate diff) runs on the WebAssembly engine through a driver
// adapter, so it needs no native engine download. DATABASE_URL is the same variable the server
// reads: a postgres:// or postgresql:// URL selects PostgreSQL's schema, migrations and adapter.
const databaseUrl = process.env.DATABASE_URL ?? 'file:./data/rapport.db';
const postgres = dialectOf(databaseUrl) === 'postgres';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => migrationAdapter(databaseUrl),
  schema: postgres ? 'prisma/postgres/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: postgres ? 'prisma/postgres/migrations' : 'prisma/migrations' },
});
