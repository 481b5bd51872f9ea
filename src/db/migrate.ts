import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
  await migrateDeploy(databaseUrl);
  if (sqlite) useWriteAheadLog(databaseUrl);
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
