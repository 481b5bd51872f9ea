import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

// The Prisma CLI (migrate deploy, migrate diff) runs on the WebAssembly engine through this
// adapter, so it needs no native engine download. DATABASE_URL is the same variable the server reads.
const databaseUrl = process.env.DATABASE_URL ?? 'file:./data/rapport.db';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaBetterSQLite3({ url: databaseUrl }),
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
