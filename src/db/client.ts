import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client';
import { config } from '../config';
import { type Keyring, parseKeyring, readKeyFile } from './pii';
import { piiExtension } from './pii-extension';

export type Db = PrismaClient;

/** Path of the SQLite file named by a `file:` URL. */
export function sqliteFilePath(databaseUrl: string): string {
  return databaseUrl.replace(/^file:/, '').replace(/\?.*$/, '');
}

let keyring: Keyring | undefined;

/** The PII keyring the configuration names, read once. */
export function configuredKeyring(): Keyring {
  const source = config().piiKeys;
  keyring ??= parseKeyring('keyring' in source ? source.keyring : readKeyFile(source.file));
  return keyring;
}

export function createDb(databaseUrl: string, piiKeyring: Keyring = configuredKeyring()): Db {
  mkdirSync(dirname(sqliteFilePath(databaseUrl)), { recursive: true });
  const client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl }) });
  // The extension changes stored values, not the shapes callers see, so the client's type stands.
  return client.$extends(piiExtension(piiKeyring)) as unknown as Db;
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
