import { execFile } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
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
  try {
    await promisify(execFile)(process.execPath, [prismaCli, 'migrate', 'deploy'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new MigrationError(`${stdout}${stderr}`.trim());
  }
  if (sqlite) useWriteAheadLog(databaseUrl);
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
