import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client';
import { config } from '../config';

export type Db = PrismaClient;

/** Path of the SQLite file named by a `file:` URL. */
export function sqliteFilePath(databaseUrl: string): string {
  return databaseUrl.replace(/^file:/, '').replace(/\?.*$/, '');
}

export function createDb(databaseUrl: string): Db {
  mkdirSync(dirname(sqliteFilePath(databaseUrl)), { recursive: true });
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl }) });
}

let client: Db | undefined;

/** The process's database client, created from the configuration on first use. */
export function db(): Db {
  client ??= createDb(config().databaseUrl);
  return client;
}

/** Replaces the process's client, for example with one that records its calls. */
export function useDb(replacement: Db): void {
  client = replacement;
}

export async function disconnectDb(): Promise<void> {
  await client?.$disconnect();
  client = undefined;
}
