import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations } from '../src/db/migrate';

/**
 * `npm run db:new-migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql
 * with the SQL that takes the committed migrations to prisma/schema.prisma. (`prisma migrate dev`
 * fails with the WebAssembly engine, so the committed migrations are applied to a scratch database,
 * whose introspected schema is diffed against prisma/schema.prisma.)
 */
async function main() {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error('Usage: npm run db:new-migration -- <name>, where name is lower_snake_case');
  }
  const root = join(__dirname, '..');
  const scratch = mkdtempSync(join(tmpdir(), 'rapport-migration-'));
  const url = `file:${join(scratch, 'scratch.db')}`;
  try {
    await applyMigrations(url);
    const prisma = (...args: string[]) =>
      execFileSync(process.execPath, [join(root, 'node_modules', 'prisma', 'build', 'index.js'), ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: url },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const migrated = join(scratch, 'migrated.prisma');
    const pulled = prisma('db', 'pull', '--print');
    // The CLI prints its adapter warning on stdout too; the schema starts at its first block.
    writeFileSync(migrated, pulled.slice(pulled.search(/^(generator|datasource) /m)));
    const sql = prisma(
      'migrate', 'diff', '--from-schema-datamodel', migrated, '--to-schema-datamodel', 'prisma/schema.prisma', '--script',
    );
    if (!/\S/.test(sql.replace(/^--.*$/gm, ''))) {
      console.log('The schema matches the migrations; no migration written.');
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const folder = join(root, 'prisma', 'migrations', `${stamp}_${name}`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'migration.sql'), sql);
    console.log(`Wrote ${join(folder, 'migration.sql')}; review it, then commit it.`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
