import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import pg from 'pg';
import { sqliteFilePath } from '../src/db/dialect';
import { MigrationError, applyMigrations, compactSqlite, useWriteAheadLog } from '../src/db/migrate';
import { type ScratchDatabase, scratchDatabase } from '../src/db/scratch-database';
import { runPrisma6 } from '../scripts/prisma-cli-6';
import { onPostgres } from './support/test-database';

/**
 * The project's migration applier against the oracle it replaces: Prisma 6.19's own `migrate
 * deploy` and `migrate status` (the `prisma-cli-6` package), on empty scratch databases.
 */

const root = join(__dirname, '..');
const dialect = onPostgres ? 'postgres' : 'sqlite';
const migrationsFolder = join(root, onPostgres ? 'prisma/postgres/migrations' : 'prisma/migrations');

interface HistoryRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  logs: unknown;
  applied_steps_count: number;
}

/** Every committed migration with the SHA-256 of its file, computed here independently. */
function committed(): { migration_name: string; checksum: string }[] {
  return readdirSync(migrationsFolder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map(({ name }) => ({
      migration_name: name,
      checksum: createHash('sha256').update(readFileSync(join(migrationsFolder, name, 'migration.sql'))).digest('hex'),
    }))
    .sort((a, b) => a.migration_name.localeCompare(b.migration_name));
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  if (!onPostgres) {
    const database = new Database(sqliteFilePath(url));
    try {
      const statement = database.prepare(sql);
      if (!statement.reader) statement.run();
      return statement.reader ? (statement.all() as T[]) : [];
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const history = (url: string) => query<HistoryRow>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY "migration_name", "id"');

/** The database's whole schema as text: what Prisma 6 made must be what the applier makes. */
async function schemaOf(url: string): Promise<string> {
  if (!onPostgres) {
    const objects = await query<{ sql: string | null }>(url, 'SELECT type, name, sql FROM sqlite_master ORDER BY type, name');
    return JSON.stringify(objects);
  }
  return execFileSync('pg_dump', ['--schema-only', url], { encoding: 'utf8' }).replace(/^\\(un)?restrict .*$/gm, '');
}

function prisma6(url: string, ...args: string[]): string {
  const workspace = mkdtempSync(join(tmpdir(), 'rapport-prisma6-'));
  try {
    return runPrisma6(url, workspace, args);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

const scratches: ScratchDatabase[] = [];
async function scratch(): Promise<string> {
  const database = await scratchDatabase(dialect, 'migrations_test');
  scratches.push(database);
  return database.url;
}

afterAll(async () => {
  for (const database of scratches) await database.remove();
});

test('a fresh database gets every committed migration once, recorded as Prisma records it', async () => {
  const url = await scratch();
  await applyMigrations(url);

  const rows = await history(url);
  expect(rows.map(({ migration_name, checksum }) => ({ migration_name, checksum }))).toEqual(committed());
  for (const row of rows) {
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row.finished_at).not.toBeNull();
    expect(row.rolled_back_at).toBeNull();
    expect(row.logs).toBeNull();
    expect(Number(row.applied_steps_count)).toBe(1);
  }
  expect(prisma6(url, 'migrate', 'status')).toContain('Database schema is up to date!');
}, 60_000);

test('a database Prisma 6 migrated is current: nothing is applied again, and the schemas are the same', async () => {
  const byPrisma = await scratch();
  prisma6(byPrisma, 'migrate', 'deploy');
  const recordedByPrisma = await history(byPrisma);
  expect(recordedByPrisma).toHaveLength(committed().length);

  await applyMigrations(byPrisma);
  expect(await history(byPrisma)).toEqual(recordedByPrisma);

  const byApplier = await scratch();
  await applyMigrations(byApplier);
  expect(await schemaOf(byApplier)).toBe(await schemaOf(byPrisma));
}, 90_000);

async function holdSqliteWriteLock(url: string, milliseconds: number): Promise<void> {
  const database = new Database(sqliteFilePath(url));
  try {
    database.exec('BEGIN IMMEDIATE');
    await new Promise((resolve) => setTimeout(resolve, milliseconds));
    database.exec('ROLLBACK');
  } finally {
    database.close();
  }
}

test('processes starting together on one empty database apply each migration once', async () => {
  const url = await scratch();
  const start = () =>
    promisify(execFile)(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'migrate.ts')], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
    });
  const started = [start(), start(), start()];
  // On SQLite the three are made to meet: the file's write lock is held while they start up, so
  // that all of them are waiting for it when it is released.
  if (!onPostgres) await holdSqliteWriteLock(url, 3000);
  await Promise.all(started);

  const names = (await history(url)).map((row) => row.migration_name).sort();
  expect(names).toEqual(committed().map((migration) => migration.migration_name));
  expect(prisma6(url, 'migrate', 'status')).toContain('Database schema is up to date!');
}, 90_000);

test('a database where an applied migration has another checksum than its committed file is refused', async () => {
  const url = await scratch();
  await applyMigrations(url);
  const [first] = committed();
  const changed = createHash('sha256').update('-- edited after it ran\n').digest('hex');
  await query(url, `UPDATE "_prisma_migrations" SET "checksum" = '${changed}' WHERE "migration_name" = '${first.migration_name}'`);
  const before = await history(url);

  const refusal = applyMigrations(url);
  await expect(refusal).rejects.toThrow(MigrationError);
  await expect(refusal).rejects.toThrow(new RegExp(`${first.migration_name}.*checksum ${changed}.*${first.checksum}`));
  expect(await history(url)).toEqual(before);
}, 60_000);

test('a database where a migration Prisma started never finished is refused, not migrated over', async () => {
  const url = await scratch();
  await applyMigrations(url);
  const last = committed().at(-1)!;
  await query(url, `UPDATE "_prisma_migrations" SET "finished_at" = NULL WHERE "migration_name" = '${last.migration_name}'`);

  await expect(applyMigrations(url)).rejects.toThrow(new RegExp(`${last.migration_name} was started and never finished`));
}, 60_000);

(onPostgres ? test.skip : test)('compacting the SQLite file waits out another process holding its lock past the driver’s default 5 s', async () => {
  const url = await scratch();
  await applyMigrations(url);
  const holder = spawn(
    process.execPath,
    ['-e', `const d = new (require('better-sqlite3'))(${JSON.stringify(sqliteFilePath(url))}); d.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => d.exec('ROLLBACK'), 6000);`],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(holder, 'exit');
  await once(holder.stdout!, 'data');
  const started = Date.now();
  expect(() => compactSqlite(url)).not.toThrow();
  expect(Date.now() - started).toBeGreaterThan(5000); // it did wait for the lock, beyond better-sqlite3's default
  await exited;
}, 60_000);

(onPostgres ? test.skip : test)('switching to the write-ahead log waits out a write transaction, which SQLite itself refuses to wait for', async () => {
  const url = await scratch();
  await applyMigrations(url);
  const file = sqliteFilePath(url);
  const rollbackJournal = new Database(file);
  rollbackJournal.pragma('journal_mode = DELETE');
  rollbackJournal.close();
  // Another process's write transaction, as when processes starting together migrate: SQLite
  // answers a switch "database is locked" at once, its busy timeout notwithstanding.
  const holder = spawn(
    process.execPath,
    ['-e', `const d = new (require('better-sqlite3'))(${JSON.stringify(file)}); d.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => d.exec('ROLLBACK'), 1500);`],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(holder, 'exit');
  await once(holder.stdout!, 'data');
  const started = Date.now();
  await useWriteAheadLog(url);
  expect(Date.now() - started).toBeGreaterThan(1000);
  const database = new Database(file, { readonly: true });
  expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
  database.close();
  await exited;
}, 60_000);
