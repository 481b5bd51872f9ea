import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations } from '../src/db/migrate';
import type { Dialect } from '../src/db/dialect';
import { type ScratchDatabase, scratchDatabase } from '../src/db/scratch-database';
import { POSTGRES_SCHEMA, postgresSchema } from './derive-postgres-schema';
import { prisma6Schema, runPrisma6 } from './prisma-cli-6';

/**
 * `npm run db:new-migration -- <name>`: derives prisma/postgres/schema.prisma from
 * prisma/schema.prisma, then writes, for SQLite and for PostgreSQL, the migration that takes
 * the committed ones to the schema: <migrations>/<timestamp>_<name>/migration.sql. The committed
 * migrations are applied to a scratch database, whose introspected schema is diffed against the
 * target schema by Prisma 6.19's CLI (Prisma 7's needs a native engine that cannot be downloaded
 * here, and `migrate dev` fails with 6.19's WebAssembly engine). PostgreSQL's
 * scratch database is made on the server POSTGRES_SERVER_URL names.
 */
const root = join(__dirname, '..');


const DIALECTS = [
  { label: 'SQLite', dialect: 'sqlite', migrations: 'prisma/migrations' },
  { label: 'PostgreSQL', dialect: 'postgres', migrations: 'prisma/postgres/migrations' },
] as const;

async function main() {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error('Usage: npm run db:new-migration -- <name>, where name is lower_snake_case');
  }
  writeFileSync(POSTGRES_SCHEMA, postgresSchema(readFileSync(join(root, 'prisma', 'schema.prisma'), 'utf8')));
  const folder = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${name}`;
  for (const dialect of DIALECTS) {
    const sql = await pendingSql(dialect.dialect, await scratchDatabase(dialect.dialect, 'migration'));
    if (!/\S/.test(sql.replace(/^--.*$/gm, ''))) {
      console.log(`${dialect.label}: the schema matches the migrations; no migration written.`);
      continue;
    }
    const target = join(root, dialect.migrations, folder);
    mkdirSync(target);
    writeFileSync(join(target, 'migration.sql'), sql);
    console.log(`${dialect.label}: wrote ${join(dialect.migrations, folder, 'migration.sql')}; review it, then commit it.`);
  }
}

/** The SQL that takes a database migrated with the committed migrations to the dialect's schema. */
async function pendingSql(dialect: Dialect, scratch: ScratchDatabase): Promise<string> {
  const workspace = mkdtempSync(join(tmpdir(), 'rapport-migration-'));
  try {
    await applyMigrations(scratch.url);
    const prisma = (...args: string[]) => runPrisma6(scratch.url, workspace, args);
    const migrated = join(workspace, 'migrated.prisma');
    const pulled = prisma('db', 'pull', '--print');
    // The CLI prints its adapter warning on stdout too; the schema starts at its first block.
    writeFileSync(migrated, pulled.slice(pulled.search(/^(generator|datasource) /m)));
    return prisma('migrate', 'diff', '--from-schema-datamodel', migrated, '--to-schema-datamodel', prisma6Schema(dialect, workspace), '--script');
  } finally {
    rmSync(workspace, { recursive: true, force: true });
    await scratch.remove();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
