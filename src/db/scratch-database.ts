import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from './dialect';
import { createDatabase, databaseUrl, dropDatabases, postgresServerUrl } from './postgres-admin';

export interface ScratchDatabase {
  url: string;
  remove(): Promise<void>;
}

/**
 * An empty throw-away database for tools (new migrations, benchmarks): an SQLite file in a
 * temporary folder, or a PostgreSQL database on the server POSTGRES_SERVER_URL names.
 */
export async function scratchDatabase(dialect: Dialect, purpose: string): Promise<ScratchDatabase> {
  if (dialect === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), `rapport-${purpose}-`));
    return { url: `file:${join(folder, 'scratch.db')}`, remove: async () => rmSync(folder, { recursive: true, force: true }) };
  }
  const server = postgresServerUrl();
  const name = `rapport_${purpose}_${randomUUID().replace(/-/g, '')}`;
  await createDatabase(server, name);
  return { url: databaseUrl(server, name), remove: () => dropDatabases(server, name) };
}
