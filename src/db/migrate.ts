import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { sqliteFilePath } from './client';

const projectRoot = join(__dirname, '..', '..');
const prismaCli = join(projectRoot, 'node_modules', 'prisma', 'build', 'index.js');

export class MigrationError extends Error {
  constructor(output: string) {
    super(`Applying database migrations failed:\n${output}`);
    this.name = 'MigrationError';
  }
}

/** Applies pending migrations from prisma/migrations with Prisma's own `migrate deploy`. */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  mkdirSync(dirname(sqliteFilePath(databaseUrl)), { recursive: true });
  try {
    await promisify(execFile)(process.execPath, [prismaCli, 'migrate', 'deploy'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new MigrationError(`${stdout}${stderr}`.trim());
  }
}
