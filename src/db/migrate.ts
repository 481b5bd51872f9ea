import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openBulkWriter, restoreDeferredIndexes } from './bulk-writer';
import { dialectOf, sqliteFilePath } from './dialect';

const projectRoot = join(__dirname, '..', '..');
const prismaCli = join(projectRoot, 'node_modules', 'prisma', 'build', 'index.js');

export class MigrationError extends Error {
  constructor(output: string) {
    super(`Applying database migrations failed:\n${output}`);
    this.name = 'MigrationError';
  }
}

/**
 * Applies pending migrations with Prisma's own `migrate deploy`: prisma.config.ts picks
 * prisma/migrations or prisma/postgres/migrations by the URL.
 */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  const sqlite = dialectOf(databaseUrl) === 'sqlite';
  if (sqlite) mkdirSync(dirname(sqliteFilePath(databaseUrl)), { recursive: true });
  // The CLI takes SQLite's write lock even with nothing to do, and gives up on a file that a
  // running server holds: a second process starting on the same file must not call it in vain.
  if (!(sqlite && sqliteIsCurrent(databaseUrl))) {
    await migrateDeploy(databaseUrl);
    if (sqlite) useWriteAheadLog(databaseUrl);
  }
  await restoreAbandonedIndexes(databaseUrl);
}

/** Indexes a bulk load deferred and did not rebuild (it was stopped and not resumed) come back here. */
async function restoreAbandonedIndexes(databaseUrl: string): Promise<void> {
  const writer = await openBulkWriter(databaseUrl);
  try {
    await restoreDeferredIndexes(writer);
  } finally {
    await writer.close();
  }
}

/** Whether every committed SQLite migration is recorded as applied in the file. */
function sqliteIsCurrent(databaseUrl: string): boolean {
  const file = sqliteFilePath(databaseUrl);
  if (!existsSync(file)) return false;
  const committed = readdirSync(join(projectRoot, 'prisma', 'migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const database = new Database(file, { readonly: true });
  try {
    const table = database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return false;
    const applied = database
      .prepare('SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')
      .all() as { name: string }[];
    const names = new Set(applied.map((row) => row.name));
    return committed.every((name) => names.has(name));
  } finally {
    database.close();
  }
}

/** What `migrate deploy` prints once the database is current. */
const DONE = /All migrations have been successfully applied|No pending migrations to apply/;

/**
 * Runs `prisma migrate deploy`. On PostgreSQL, Prisma 6.19's WebAssembly schema engine leaves a
 * 10-second timer behind that keeps the CLI alive after its work is done, so the CLI is stopped
 * as soon as it reports the database current.
 */
function migrateDeploy(databaseUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cli = spawn(process.execPath, [prismaCli, 'migrate', 'deploy'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    let output = '';
    let done = false;
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (!done && DONE.test(output)) {
        done = true;
        cli.kill();
        resolve();
      }
    };
    cli.stdout.on('data', collect);
    cli.stderr.on('data', collect);
    cli.on('error', reject);
    cli.on('close', (code) => {
      if (done) return;
      if (code === 0) resolve();
      else reject(new MigrationError(output.trim()));
    });
  });
}

/** WAL lets readers (the analytics projection's snapshot read) run alongside the writer. */
function useWriteAheadLog(databaseUrl: string): void {
  const database = new Database(sqliteFilePath(databaseUrl));
  try {
    database.pragma('journal_mode = WAL');
  } finally {
    database.close();
  }
}

/**
 * Rewrites the SQLite file without its free pages and empties the write-ahead log, so that data
 * overwritten in place (plaintext replaced by ciphertext) leaves no copy behind on disk.
 */
export function compactSqlite(databaseUrl: string): void {
  const database = new Database(sqliteFilePath(databaseUrl));
  try {
    database.exec('VACUUM');
    database.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    database.close();
  }
}
