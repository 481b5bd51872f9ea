import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { PrismaClient as PostgresPrismaClient } from '../generated/prisma-postgres/client';
import { config } from '../config';
import { type Keyring, keyringText, parseKeyring } from './pii';
import { piiExtension } from './pii-extension';
import { dialectOf, sqliteFilePath } from './dialect';
import { closeDriver } from './driver';

/**
 * The database client. Its type is SQLite's generated client: PostgreSQL's is generated from the
 * same models (prisma/postgres/schema.prisma is derived from prisma/schema.prisma) and behaves the
 * same to the code above this layer.
 */
export type Db = PrismaClient;

let keyring: Keyring | undefined;

/** The PII keyring the configuration names, read once. */
export function configuredKeyring(): Keyring {
  const source = config().piiKeys;
  keyring ??= parseKeyring(keyringText(source));
  return keyring;
}

function createBaseClient(databaseUrl: string): Db {
  if (dialectOf(databaseUrl) === 'postgres') {
    return new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) }) as unknown as Db;
  }
  mkdirSync(dirname(sqliteFilePath(databaseUrl)), { recursive: true });
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl }) });
}

export function createDb(databaseUrl: string, piiKeyring: Keyring = configuredKeyring()): Db {
  // The extension changes stored values, not the shapes callers see, so the client's type stands.
  return createBaseClient(databaseUrl).$extends(piiExtension(piiKeyring)) as unknown as Db;
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
  await Promise.all([client?.$disconnect(), closeDriver()]);
  client = undefined;
}
