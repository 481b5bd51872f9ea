import type { Database, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { LRUCache } from 'lru-cache';
import { PrismaClient } from '../generated/prisma/client';
import { config } from '../config';
import { type Keyring, keyringText, parseKeyring } from './pii';
import { piiExtension } from './pii-extension';
import { dialectOf, sqliteFilePath } from './dialect';
import { closeDriver } from './driver';
import { checkpointInBackground } from './wal-checkpoints';

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
    // Required here, not imported: a server on embedded SQLite never loads PostgreSQL's Prisma client and adapter (pg-driver.ts).
    const { PrismaPg } = require('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg');
    const { PrismaClient: PostgresPrismaClient } = require('../generated/prisma-postgres/client') as typeof import('../generated/prisma-postgres/client');
    return new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) }) as unknown as Db;
  }
  mkdirSync(dirname(sqliteFilePath(databaseUrl)), { recursive: true });
  return new PrismaClient({ adapter: withSqliteSettings(new PrismaBetterSqlite3({ url: databaseUrl })) });
}


/**
 * SQLite keeps deleted and overwritten content in free space until reused; `secure_delete` zeroes
 * it, so that an erased consumer's data is gone from the file (see `flushErasedData`).
 * Transactions begin IMMEDIATE: a deferred one that reads, then writes, fails at once
 * (SQLITE_BUSY) when another process committed in between, as several server processes and their
 * webhook deliveries do on one file; an immediate one waits for the write lock instead.
 * Checkpoints run on a worker thread (wal-checkpoints.ts), never in a request's commit.
 */
function withSqliteSettings(factory: PrismaBetterSqlite3): PrismaBetterSqlite3 {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    await adapter.executeScript('PRAGMA secure_delete = ON');
    const connection = (adapter as unknown as { client: Database }).client;
    const prepare = reusingStatements(connection.prepare.bind(connection) as (sql: string) => Statement);
    connection.prepare = ((sql: string) => prepare(sql === 'BEGIN' ? 'BEGIN IMMEDIATE' : sql)) as never;
    const stopCheckpoints = checkpointInBackground(connection);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await stopCheckpoints();
      await dispose();
    };
    return adapter;
  };
  return factory;
}

/** Statements kept per connection, by SQL text, least recently used first out. */
const STATEMENTS_KEPT = 1000;

/**
 * Prisma's SQLite adapter prepares every query anew and binds it for good (`bind`), so a
 * statement serves once: this keeps each SQL text's statement and hands out a handle that binds
 * per use, which is all the adapter asks of one (`bind`, `reader`, `columns`, `raw`, `run`, `all`).
 */
function reusingStatements(prepare: (sql: string) => Statement): (sql: string) => ReusedStatement {
  const kept = new LRUCache<string, Statement>({ max: STATEMENTS_KEPT });
  return (sql) => {
    let statement = kept.get(sql);
    if (!statement) kept.set(sql, (statement = prepare(sql)));
    return reused(statement);
  };
}

type ReusedStatement = ReturnType<typeof reused>;

function reused(statement: Statement) {
  let values: unknown[] = [];
  const handle = {
    reader: statement.reader,
    bind(bound: unknown[]) {
      values = bound;
      return handle;
    },
    columns: () => statement.columns(),
    raw() {
      statement.raw(true);
      return handle;
    },
    run: () => statement.run(values),
    all: () => statement.all(values),
  };
  return handle;
}

/** A TRUNCATE checkpoint waits for writers but not for another checkpoint (the background one): it retries. */
const FLUSH_ATTEMPTS = 100;
const FLUSH_RETRY_MS = 20;

/**
 * After an erasure: copies SQLite's write-ahead log into the (securely deleting) main file and
 * empties it, so that no earlier page image still holds what was erased. PostgreSQL needs a
 * VACUUM for the same (docs/security.md).
 */
export async function flushErasedData(client: Db = db()): Promise<void> {
  if (dialectOf(config().databaseUrl) !== 'sqlite') return;
  for (let attempt = 1; attempt < FLUSH_ATTEMPTS; attempt++) {
    const [{ busy }] = await client.$queryRawUnsafe<{ busy: bigint | number }[]>('PRAGMA wal_checkpoint(TRUNCATE)').catch((error) => {
      if (String(error).includes('SQLITE_BUSY') || String(error).includes('database is locked')) return [{ busy: 1 }];
      throw error;
    });
    if (Number(busy) === 0) return;
    await sleep(FLUSH_RETRY_MS);
  }
  throw new Error(
    `The data was erased, but SQLite's write-ahead log, which may still hold earlier page images, stayed busy for ${FLUSH_ATTEMPTS} attempts: erase again to retry emptying it`,
  );
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
