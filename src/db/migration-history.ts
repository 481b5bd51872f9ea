import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Dialect } from './dialect';

const projectRoot = join(__dirname, '..', '..');

/** The folder of committed migrations for each database. */
export const MIGRATIONS_FOLDER: Record<Dialect, string> = {
  sqlite: join(projectRoot, 'prisma', 'migrations'),
  postgres: join(projectRoot, 'prisma', 'postgres', 'migrations'),
};

/**
 * The history table as Prisma's schema engine creates it, so that databases migrated by Prisma 6
 * and by this project's applier read alike (and Prisma's `migrate status` still reads them).
 */
export const HISTORY_TABLE: Record<Dialect, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  postgres: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`,
};

export const SELECT_HISTORY =
  'SELECT "migration_name", "checksum", "finished_at" FROM "_prisma_migrations" WHERE "rolled_back_at" IS NULL';

export interface CommittedMigration {
  name: string;
  script: string;
  /** Prisma's checksum: the SHA-256 of migration.sql, in hex. */
  checksum: string;
}

export interface RecordedMigration {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
}

export class MigrationError extends Error {
  constructor(detail: string) {
    super(`Applying database migrations failed:\n${detail}`);
    this.name = 'MigrationError';
  }
}

/** The committed migrations for `dialect`, oldest first (their folder names start with a timestamp). */
export function committedMigrations(dialect: Dialect): CommittedMigration[] {
  const folder = MIGRATIONS_FOLDER[dialect];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const script = readFileSync(join(folder, name, 'migration.sql'));
      return { name, script: script.toString('utf8'), checksum: createHash('sha256').update(script).digest('hex') };
    });
}

/**
 * The committed migrations the database has not recorded. Refuses a database whose history
 * cannot be trusted: a migration recorded with another checksum (its committed file was changed
 * after it ran) or one Prisma started and never finished (Prisma's P3009, to be resolved by hand).
 */
export function pendingMigrations(committed: CommittedMigration[], recorded: RecordedMigration[]): CommittedMigration[] {
  const unfinished = recorded.find((row) => row.finished_at === null);
  if (unfinished) {
    throw new MigrationError(`migration ${unfinished.migration_name} was started and never finished; the database needs repair by hand.`);
  }
  const checksums = new Map(recorded.map((row) => [row.migration_name, row.checksum]));
  for (const migration of committed) {
    const recordedChecksum = checksums.get(migration.name);
    if (recordedChecksum !== undefined && recordedChecksum !== migration.checksum) {
      throw new MigrationError(
        `migration ${migration.name} was applied with checksum ${recordedChecksum}, but its committed migration.sql has ${migration.checksum}: a migration must not change once applied.`,
      );
    }
  }
  return committed.filter((migration) => !checksums.has(migration.name));
}

/** A timestamp as Prisma's engine writes it into SQLite's history (ISO 8601, `+00:00`). */
export function sqliteTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/Z$/, '+00:00');
}
