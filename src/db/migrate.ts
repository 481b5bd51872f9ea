import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { openBulkWriter, restoreDeferredIndexes } from './bulk-writer';
import { pgDriver } from './pg-driver';
import { dialectOf, sqliteFilePath } from './dialect';
import {
  type CommittedMigration,
  HISTORY_TABLE,
  MigrationError,
  type RecordedMigration,
  SELECT_HISTORY,
  committedMigrations,
  pendingMigrations,
  sqliteTimestamp,
} from './migration-history';

export { MigrationError } from './migration-history';

/** How long a start waits for another process's lock on the SQLite file (migrating, switching to WAL, compacting) before failing. */
const SQLITE_LOCK_WAIT_MS = 60_000;

/** The advisory lock Prisma's schema engine holds while migrating: the two exclude each other. */
const PRISMA_MIGRATE_LOCK = 72707369;

/**
 * Applies the committed SQL migrations the database lacks (prisma/migrations or
 * prisma/postgres/migrations by the URL), each in a transaction with its record in
 * `_prisma_migrations`, written as Prisma's `migrate deploy` writes it. (Prisma 7's CLI needs a
 * native schema engine that cannot be downloaded here, so the project applies them itself.)
 * Processes starting together wait for each other; a recorded migration whose committed file
 * changed is refused.
 */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  if (dialectOf(databaseUrl) === 'sqlite') {
    if (applySqliteMigrations(databaseUrl)) await useWriteAheadLog(databaseUrl);
  } else {
    await applyPostgresMigrations(databaseUrl);
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

/**
 * A data step (a PendingDataMigration row that a migration inserts, finished by the server)
 * moves parties' data that existed when its migration ran. On a database that held no party then,
 * such as one being created, it has nothing to do; left pending, it would scan every party
 * written since on the first start. The migration's own transaction decides: the steps it
 * inserted go when no party is there. (On PostgreSQL no party can be added meanwhile: the
 * external_ids migration alters both tables, which locks them until it commits.)
 */
function dataStepsOf(migration: CommittedMigration): string[] {
  return [...migration.script.matchAll(/INSERT INTO "PendingDataMigration" \("name"\) VALUES \('([^']+)'\)/g)].map((match) => match[1]);
}

const NO_PARTY = 'NOT EXISTS (SELECT 1 FROM "Consumer") AND NOT EXISTS (SELECT 1 FROM "Provider")';

/** Applies SQLite's pending migrations; whether there were any. */
function applySqliteMigrations(databaseUrl: string): boolean {
  const file = sqliteFilePath(databaseUrl);
  const committed = committedMigrations('sqlite');
  // A file already current is only read: taking the write lock would wait for a running server.
  if (existsSync(file) && sqlitePending(file, committed) === 0) return false;
  mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file, { timeout: SQLITE_LOCK_WAIT_MS });
  try {
    // Table rebuilds in the migrations turn foreign keys off with a PRAGMA, which SQLite ignores
    // inside a transaction: they are off for the whole connection, and checked before each commit.
    database.pragma('foreign_keys = OFF');
    const applyNext = database.transaction(() => applyNextSqliteMigration(database, committed));
    while (applyNext.immediate()) {
      // Each migration commits on its own; the next one is read again under the lock.
    }
  } finally {
    database.close();
  }
  return true;
}

function sqlitePending(file: string, committed: CommittedMigration[]): number {
  const database = new Database(file, { readonly: true, timeout: SQLITE_LOCK_WAIT_MS });
  try {
    const table = database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return committed.length;
    return pendingMigrations(committed, database.prepare(SELECT_HISTORY).all() as RecordedMigration[]).length;
  } finally {
    database.close();
  }
}

/** Inside BEGIN IMMEDIATE: applies and records the oldest pending migration; whether there was one. */
function applyNextSqliteMigration(database: Database.Database, committed: CommittedMigration[]): boolean {
  database.exec(HISTORY_TABLE.sqlite);
  const [next] = pendingMigrations(committed, database.prepare(SELECT_HISTORY).all() as RecordedMigration[]);
  if (!next) return false;
  const startedAt = sqliteTimestamp();
  try {
    database.exec(next.script);
  } catch (error) {
    throw new MigrationError(`migration ${next.name}: ${(error as Error).message}`);
  }
  for (const step of dataStepsOf(next)) database.prepare(`DELETE FROM "PendingDataMigration" WHERE "name" = ? AND ${NO_PARTY}`).run(step);
  const violations = database.pragma('foreign_key_check') as unknown[];
  if (violations.length > 0) {
    throw new MigrationError(`migration ${next.name} leaves ${violations.length} rows whose foreign keys point nowhere.`);
  }
  database
    .prepare(
      'INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)',
    )
    .run(randomUUID(), next.checksum, sqliteTimestamp(), next.name, startedAt);
  return true;
}

/** Applies PostgreSQL's pending migrations under Prisma's advisory lock, each in a transaction. */
async function applyPostgresMigrations(databaseUrl: string): Promise<void> {
  const committed = committedMigrations('postgres');
  const client = new (pgDriver().Client)({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(HISTORY_TABLE.postgres);
    const recorded = (await client.query<RecordedMigration>(SELECT_HISTORY)).rows;
    for (const migration of pendingMigrations(committed, recorded)) await applyPostgresMigration(client, migration);
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end();
  }
}

async function applyPostgresMigration(client: pg.Client, migration: CommittedMigration): Promise<void> {
  await client.query('BEGIN');
  try {
    const startedAt = new Date();
    // Without parameters the whole script goes as one simple query, function bodies and all.
    await client.query(migration.script);
    for (const step of dataStepsOf(migration)) await client.query(`DELETE FROM "PendingDataMigration" WHERE "name" = $1 AND ${NO_PARTY}`, [step]);
    await client.query(
      'INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)',
      [randomUUID(), migration.checksum, migration.name, startedAt],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new MigrationError(`migration ${migration.name}: ${(error as Error).message}`);
  }
}

/**
 * WAL lets readers (the analytics projection's snapshot read) run alongside the writer.
 * Switching needs every other connection out of the file. SQLite does not wait when waiting
 * could deadlock (this connection's read lock against another process's pending commit, as
 * when processes starting together migrate): then it lets go and tries again.
 */
export async function useWriteAheadLog(databaseUrl: string): Promise<void> {
  for (const deadline = Date.now() + SQLITE_LOCK_WAIT_MS; ; ) {
    const database = new Database(sqliteFilePath(databaseUrl), { timeout: SQLITE_LOCK_WAIT_MS });
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
    } finally {
      database.close();
    }
    await new Promise((resolve) => setTimeout(resolve, DEADLOCK_RETRY_MS));
  }
}

/** How long a start lets go of the file before trying again after SQLite refused a wait that could deadlock. */
const DEADLOCK_RETRY_MS = 20;

/**
 * Rewrites the SQLite file without its free pages and empties the write-ahead log, so that data
 * overwritten in place (plaintext replaced by ciphertext) leaves no copy behind on disk.
 */
export function compactSqlite(databaseUrl: string): void {
  const database = new Database(sqliteFilePath(databaseUrl), { timeout: SQLITE_LOCK_WAIT_MS });
  try {
    database.exec('VACUUM');
    database.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    database.close();
  }
}
