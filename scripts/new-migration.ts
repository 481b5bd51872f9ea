import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations } from '../src/db/migrate';
import { type ScratchDatabase, scratchDatabase } from '../src/db/scratch-database';
import { POSTGRES_SCHEMA, postgresSchema } from './derive-postgres-schema';

/**
 * `npm run db:new-migration -- <name>`: derives prisma/postgres/schema.prisma from
 * prisma/schema.prisma, then writes, for SQLite and for PostgreSQL, the migration that takes
 * the committed ones to the schema: <migrations>/<timestamp>_<name>/migration.sql. (`prisma
 * migrate dev` fails with the WebAssembly engine, so the committed migrations are applied to a
 * scratch database, whose introspected schema is diffed against the target schema.) PostgreSQL's
 * scratch database is made on the server POSTGRES_SERVER_URL names.
 */
const root = join(__dirname, '..');


const DIALECTS = [
  { label: 'SQLite', schema: 'prisma/schema.prisma', migrations: 'prisma/migrations', scratch: () => scratchDatabase('sqlite', 'migration') },
  { label: 'PostgreSQL', schema: 'prisma/postgres/schema.prisma', migrations: 'prisma/postgres/migrations', scratch: () => scratchDatabase('postgres', 'migration') },
];

async function main() {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error('Usage: npm run db:new-migration -- <name>, where name is lower_snake_case');
  }
  writeFileSync(POSTGRES_SCHEMA, postgresSchema(readFileSync(join(root, 'prisma', 'schema.prisma'), 'utf8')));
  const folder = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${name}`;
  for (const dialect of DIALECTS) {
    const sql = await pendingSql(dialect.schema, await dialect.scratch());
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

/** The SQL that takes a database migrated with the committed migrations to `schema`. */
async function pendingSql(schema: string, scratch: ScratchDatabase): Promise<string> {
  const workspace = mkdtempSync(join(tmpdir(), 'rapport-migration-'));
  try {
    await applyMigrations(scratch.url);
    const prisma = (...args: string[]) =>
      execFileSync(process.execPath, [join(root, 'node_modules', 'prisma', 'build', 'index.js'), ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: scratch.url },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const migrated = join(workspace, 'migrated.prisma');
    const pulled = prisma('db', 'pull', '--print');
    // The CLI prints its adapter warning on stdout too; the schema starts at its first block.
    writeFileSync(migrated, pulled.slice(pulled.search(/^(generator|datasource) /m)));
    return prisma('migrate', 'diff', '--from-schema-datamodel', migrated, '--to-schema-datamodel', schema, '--script');
  } finally {
    rmSync(workspace, { recursive: true, force: true });
    await scratch.remove();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
