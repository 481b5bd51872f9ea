import { defineConfig } from 'prisma/config';

// Prisma 7's CLI here only generates the clients (npm's postinstall): its migrate and db commands
// need a native schema engine that cannot be downloaded on these machines. Migrations are applied
// by src/db/migrate.ts, and new ones are written by the 6.19 CLI (prisma-cli-6.config.ts).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
