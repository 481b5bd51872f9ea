import Database from 'better-sqlite3';
import { once } from 'node:events';
import type pg from 'pg';
import type { RelationKind } from '../generated/prisma/enums';
import { CHANGE_LOG_LOCK } from './change-log';
import { configuredKeyring } from './client';
import { dialectOf, sqliteFilePath } from './dialect';
import { pgDriver } from './pg-driver';
import { type Keyring, encrypt, primaryLookupHash } from './pii';

/**
 * Bulk writes through each driver's fast path, beside Prisma: prepared statements in one large
 * transaction on SQLite, COPY FROM STDIN on PostgreSQL. Consumers' emails are sealed as the PII
 * extension seals them (pii-extension.ts), so callers pass plaintext, as they do to Prisma.
 */

export interface NewConsumer {
  externalId?: string | null;
  name: string;
  email: string | null;
  marketingConsent: boolean;
}

export interface NewProvider {
  externalId?: string | null;
  name: string;
  contactEmail: string;
  category: string;
}

export interface NewRelation {
  consumerId: number;
  providerId: number;
  kind: RelationKind;
  occurredAt: Date;
  amountMinor: number | null;
  currency: string | null;
  rating: number | null;
}

/** One transaction's writes. Every row written gets `createdAt` (and `updatedAt`) = `stamp`. */
export interface BulkTransaction {
  /**
   * Ids of the consumers with these external IDs, by external ID: a consumer's own, or one a
   * consumer merged into it left behind (ConsumerMerge), as consumerIdByExternalId finds them.
   */
  consumerIds(externalIds: string[]): Promise<Map<string, number>>;
  /** Ids of the providers with these external IDs, by external ID. */
  providerIds(externalIds: string[]): Promise<Map<string, number>>;
  /** Inserts the consumers (their emails and external IDs distinct); returns their ids in the order given. */
  insertConsumers(rows: NewConsumer[]): Promise<number[]>;
  /** Inserts the providers (their external IDs distinct); returns their ids in the order given. */
  insertProviders(rows: NewProvider[]): Promise<number[]>;
  insertRelations(rows: NewRelation[]): Promise<void>;
  /** How many relations the table holds. */
  relationCount(): Promise<number>;
  /**
   * Drops Relation's secondary indexes, recording each in DeferredIndex: for a load at least as
   * large as the table, building them once afterwards is several times faster than inserting
   * into them row by row. Idempotent: indexes already deferred stay so.
   */
  deferRelationIndexes(): Promise<void>;
  /** Rebuilds the indexes DeferredIndex holds (none: nothing to do) and empties it. */
  restoreRelationIndexes(): Promise<void>;
  /** Appends to the change log, committed with the rest (see appendToChangeLog). */
  appendChange(change: string): Promise<void>;
}

export interface BulkWriter {
  transaction<T>(stamp: Date, work: (tx: BulkTransaction) => Promise<T>): Promise<T>;
  /** How many of Relation's indexes a load has deferred, read without taking the write lock. */
  deferredIndexCount(): Promise<number>;
  close(): Promise<void>;
}

/** Rebuilds the indexes a load deferred, if any, in a transaction of its own. */
export async function restoreDeferredIndexes(writer: BulkWriter): Promise<void> {
  // Most starts find none: they take no write lock, which would wait behind a running server's write.
  if ((await writer.deferredIndexCount()) === 0) return;
  await writer.transaction(new Date(), (tx) => tx.restoreRelationIndexes());
}

/** `keyring` is asked for only when consumers are inserted: a writer that stores none needs no keys. */
export function openBulkWriter(databaseUrl: string, keyring: () => Keyring = configuredKeyring): Promise<BulkWriter> {
  return dialectOf(databaseUrl) === 'postgres' ? postgresWriter(databaseUrl, keyring) : Promise.resolve(sqliteWriter(databaseUrl, keyring));
}

function sealedConsumer(keyring: () => Keyring, { email, externalId, ...consumer }: NewConsumer) {
  if (email === null) return { ...consumer, externalId: externalId ?? null, email: null, emailHash: null };
  return { ...consumer, externalId: externalId ?? null, email: encrypt(keyring(), email), emailHash: primaryLookupHash(keyring(), email.trim().toLowerCase()) };
}

/** Refuses repeated values among those given (nulls may repeat, as unique columns allow). */
function distinct(values: (string | null | undefined)[], what: string): void {
  const given = values.filter((value) => value != null);
  if (new Set(given).size !== given.length) throw new Error(`a bulk insert needs distinct ${what}`);
}

/** A time as Prisma stores it in SQLite: ISO text with an explicit +00:00. */
export const sqliteTime = (time: Date) => time.toISOString().replace('Z', '+00:00');

interface IndexDefinition {
  name: string;
  definition: string;
}

/** An index's own CREATE statement, made harmless where the index exists again (a migration may have rebuilt it). */
const ifNotExists = (definition: string) => definition.replace(/^CREATE (UNIQUE )?INDEX /i, (created) => `${created}IF NOT EXISTS `);

const RELATION_COLUMNS = '"consumerId", "providerId", "kind", "occurredAt", "amountMinor", "currency", "rating", "createdAt"';
/** Rows per INSERT: one call into the driver per row costs more than SQLite's insert itself. */
const RELATIONS_PER_STATEMENT = 100;

const relationInsert = (rows: number) =>
  `INSERT INTO "Relation" (${RELATION_COLUMNS}) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;

function pushRelation(values: unknown[], { consumerId, providerId, kind, occurredAt, amountMinor, currency, rating }: NewRelation, now: string): unknown[] {
  values.push(consumerId, providerId, kind, sqliteTime(occurredAt), amountMinor, currency, rating, now);
  return values;
}

/** SQLite waits this long for a server process holding the write lock. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;
const SQLITE_CACHE_KIB = 256 * 1024;

function sqliteWriter(databaseUrl: string, keyring: () => Keyring): BulkWriter {
  const database = new Database(sqliteFilePath(databaseUrl), { fileMustExist: true, timeout: SQLITE_BUSY_TIMEOUT_MS });
  // Index pages of a large table stay cached across a bulk load, instead of SQLite's default 2 MB.
  database.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  const statements = {
    consumerByExternalId: database
      .prepare(
        `SELECT "id" FROM "Consumer" WHERE "externalId" = :key
         UNION ALL SELECT "intoId" FROM "ConsumerMerge" WHERE "mergedExternalId" = :key`,
      )
      .pluck(),
    providerByExternalId: database.prepare('SELECT "id" FROM "Provider" WHERE "externalId" = :key').pluck(),
    consumer: database.prepare(
      'INSERT INTO "Consumer" ("externalId", "name", "email", "emailHash", "marketingConsent", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    provider: database.prepare(
      'INSERT INTO "Provider" ("externalId", "name", "contactEmail", "category", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
    ),
    relation: database.prepare(relationInsert(1)),
    relations: database.prepare(relationInsert(RELATIONS_PER_STATEMENT)),
    change: database.prepare('INSERT INTO "ChangeLogEntry" ("change", "createdAt") VALUES (?, ?)'),
    deferIndex: database.prepare('INSERT OR IGNORE INTO "DeferredIndex" ("name", "definition") VALUES (?, ?)'),
  };
  const idsBy = (statement: Database.Statement, keys: string[]) => {
    const ids = new Map<string, number>();
    for (const key of keys) {
      const id = statement.get({ key }) as number | undefined;
      if (id !== undefined) ids.set(key, id);
    }
    return ids;
  };
  const secondaryIndexes = database.prepare(
    `SELECT "name", "sql" AS "definition" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = 'Relation' AND "sql" IS NOT NULL`,
  );
  const deferred = database.prepare('SELECT "name", "definition" FROM "DeferredIndex"');
  const rowsOf = (table: 'Relation' | 'DeferredIndex') => database.prepare(`SELECT COUNT(*) FROM "${table}"`).pluck().get() as number;
  const transactionOf = (now: string): BulkTransaction => ({
    consumerIds: async (externalIds) => idsBy(statements.consumerByExternalId, externalIds),
    providerIds: async (externalIds) => idsBy(statements.providerByExternalId, externalIds),
    insertConsumers: async (rows) => {
      distinct(rows.map((row) => row.email), 'emails');
      distinct(rows.map((row) => row.externalId), 'external IDs');
      return rows.map((row) => {
        const { externalId, name, email, emailHash, marketingConsent } = sealedConsumer(keyring, row);
        return Number(statements.consumer.run(externalId, name, email, emailHash, marketingConsent ? 1 : 0, now, now).lastInsertRowid);
      });
    },
    insertProviders: async (rows) => {
      distinct(rows.map((row) => row.externalId), 'external IDs');
      return rows.map(({ externalId, name, contactEmail, category }) =>
        Number(statements.provider.run(externalId ?? null, name, contactEmail, category, now, now).lastInsertRowid),
      );
    },
    insertRelations: async (rows) => {
      const whole = rows.length - (rows.length % RELATIONS_PER_STATEMENT);
      const values: unknown[] = [];
      for (let start = 0; start < whole; start += RELATIONS_PER_STATEMENT) {
        values.length = 0;
        for (let row = start; row < start + RELATIONS_PER_STATEMENT; row++) pushRelation(values, rows[row], now);
        statements.relations.run(values);
      }
      for (let row = whole; row < rows.length; row++) statements.relation.run(pushRelation([], rows[row], now));
    },
    appendChange: async (change) => void statements.change.run(change, now),
    relationCount: async () => rowsOf('Relation'),
    deferRelationIndexes: async () => {
      for (const { name, definition } of secondaryIndexes.all() as IndexDefinition[]) {
        statements.deferIndex.run(name, definition);
        database.exec(`DROP INDEX "${name}"`);
      }
    },
    restoreRelationIndexes: async () => {
      for (const { definition } of deferred.all() as IndexDefinition[]) database.exec(ifNotExists(definition));
      database.exec('DELETE FROM "DeferredIndex"');
    },
  });
  return {
    async transaction(stamp, work) {
      // IMMEDIATE: take the write lock now, not halfway through, where a server's write could refuse it.
      database.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(transactionOf(sqliteTime(stamp)));
        database.exec('COMMIT');
        return result;
      } catch (error) {
        if (database.inTransaction) database.exec('ROLLBACK');
        throw error;
      }
    },
    deferredIndexCount: async () => rowsOf('DeferredIndex'),
    close: async () => void database.close(),
  };
}

/**
 * Whether this connection may set `session_replication_role` (a superuser, or a role granted it
 * with PostgreSQL 15's GRANT SET ON PARAMETER). In `replica` a COPY skips the per-row triggers
 * that check foreign keys: 9 of 12 s for a million relations on this project's bench host, where
 * checking and locking each batch's parties in one statement costs well under a second. Without
 * the privilege every row is checked by its triggers, as any insert is. (SQLite checks each row
 * too, better-sqlite3 turning its foreign keys on: there the checks cost about 2% of an insert.)
 */
async function maySkipRowTriggers(client: pg.Client): Promise<boolean> {
  try {
    await client.query('SET session_replication_role = replica');
    await client.query('RESET session_replication_role');
    return true;
  } catch {
    return false;
  }
}

/** A time as Prisma stores it in PostgreSQL: a timestamp without zone, in UTC. */
export const postgresTime = (time: Date) => time.toISOString().replace('T', ' ').replace('Z', '');
/** Rows sent to COPY per write: enough to amortise the stream's overhead. */
const COPY_CHUNK_ROWS = 2000;

async function postgresWriter(databaseUrl: string, keyring: () => Keyring): Promise<BulkWriter> {
  // pg-copy-streams too is PostgreSQL's only, and loaded with its driver.
  const { from: copyFrom } = require('pg-copy-streams') as typeof import('pg-copy-streams');
  const client = new (pgDriver().Client)({ connectionString: databaseUrl });
  await client.connect();
  const idsBy = async (sql: string, keys: string[]) => {
    const { rows } = await client.query<[number, string]>({ text: sql, values: [keys], rowMode: 'array' });
    return new Map(rows.map(([id, key]) => [key, id]));
  };
  const rowsOf = async (table: 'Relation' | 'DeferredIndex') =>
    Number((await client.query<[string]>({ text: `SELECT COUNT(*) FROM "${table}"`, rowMode: 'array' })).rows[0][0]);
  /** Ids returned by an INSERT ... RETURNING, in the order the rows were given (ids grow with input order). */
  const inOrder = (rows: [number][]) => rows.map(([id]) => Number(id)).sort((a, b) => a - b);
  const copyRelations = async (rows: NewRelation[], now: string) => {
    const stream = client.query(
      copyFrom('COPY "Relation" ("consumerId", "providerId", "kind", "occurredAt", "amountMinor", "currency", "rating", "createdAt") FROM STDIN'),
    );
    const nullable = (value: number | string | null) => (value === null ? '\\N' : String(value));
    for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
      let chunk = '';
      for (const row of rows.slice(start, start + COPY_CHUNK_ROWS)) {
        chunk += `${row.consumerId}\t${row.providerId}\t${row.kind}\t${postgresTime(row.occurredAt)}\t${nullable(row.amountMinor)}\t${nullable(row.currency)}\t${nullable(row.rating)}\t${now}\n`;
      }
      if (!stream.write(chunk)) await once(stream, 'drain');
    }
    stream.end();
    await once(stream, 'finish');
  };
  const skipsRowTriggers = await maySkipRowTriggers(client);
  /**
   * What each row's foreign-key triggers would do, once for the batch: take a KEY SHARE lock on
   * every party the relations name (a concurrent delete waits for the commit, then meets the
   * relations), and refuse the batch if one of them no longer exists.
   */
  const lockParties = async (table: 'Consumer' | 'Provider', ids: number[]) => {
    const named = [...new Set(ids)];
    const { rows } = await client.query<[string]>({
      text: `WITH "locked" AS (SELECT 1 FROM "${table}" WHERE "id" = ANY($1::int[]) FOR KEY SHARE) SELECT COUNT(*) FROM "locked"`,
      values: [named],
      rowMode: 'array',
    });
    const missing = named.length - Number(rows[0][0]);
    if (missing > 0) throw new Error(`${missing} of the ${table.toLowerCase()}s these relations name no longer exist (deleted meanwhile?): nothing of this batch was stored`);
  };
  const insertRelations = async (rows: NewRelation[], now: string) => {
    if (!skipsRowTriggers) return copyRelations(rows, now);
    await lockParties('Consumer', rows.map((row) => row.consumerId));
    await lockParties('Provider', rows.map((row) => row.providerId));
    await client.query('SET LOCAL session_replication_role = replica');
    await copyRelations(rows, now);
    await client.query('SET LOCAL session_replication_role = origin');
  };
  const transactionOf = (now: string): BulkTransaction => ({
    consumerIds: (externalIds) =>
      idsBy(
        `SELECT "id", "externalId" FROM "Consumer" WHERE "externalId" = ANY($1::text[])
         UNION ALL SELECT "intoId", "mergedExternalId" FROM "ConsumerMerge" WHERE "mergedExternalId" = ANY($1::text[])`,
        externalIds,
      ),
    providerIds: (externalIds) => idsBy('SELECT "id", "externalId" FROM "Provider" WHERE "externalId" = ANY($1::text[])', externalIds),
    insertConsumers: async (consumers) => {
      distinct(consumers.map((consumer) => consumer.email), 'emails');
      distinct(consumers.map((consumer) => consumer.externalId), 'external IDs');
      const sealed = consumers.map((consumer) => sealedConsumer(keyring, consumer));
      // WITH ORDINALITY and ORDER BY: the ids are drawn from the sequence in the order given.
      const { rows } = await client.query<[number]>({
        text: `INSERT INTO "Consumer" ("externalId", "name", "email", "emailHash", "marketingConsent", "createdAt", "updatedAt")
               SELECT "externalId", "name", "email", "emailHash", "consent", $6, $6
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[]) WITH ORDINALITY
                 AS input("externalId", "name", "email", "emailHash", "consent", "position")
                 ORDER BY "position"
               RETURNING "id"`,
        values: [
          sealed.map((c) => c.externalId),
          sealed.map((c) => c.name),
          sealed.map((c) => c.email),
          sealed.map((c) => c.emailHash),
          sealed.map((c) => c.marketingConsent),
          now,
        ],
        rowMode: 'array',
      });
      return inOrder(rows);
    },
    insertProviders: async (providers) => {
      distinct(providers.map((provider) => provider.externalId), 'external IDs');
      const { rows } = await client.query<[number]>({
        text: `INSERT INTO "Provider" ("externalId", "name", "contactEmail", "category", "createdAt", "updatedAt")
               SELECT "externalId", "name", "contactEmail", "category", $5, $5
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY
                 AS input("externalId", "name", "contactEmail", "category", "position")
                 ORDER BY "position"
               RETURNING "id"`,
        values: [providers.map((p) => p.externalId ?? null), providers.map((p) => p.name), providers.map((p) => p.contactEmail), providers.map((p) => p.category), now],
        rowMode: 'array',
      });
      return inOrder(rows);
    },
    insertRelations: (rows) => insertRelations(rows, now),
    relationCount: () => rowsOf('Relation'),
    deferRelationIndexes: async () => {
      const { rows } = await client.query<IndexDefinition>(
        `SELECT "indexname" AS "name", "indexdef" AS "definition" FROM pg_indexes
          WHERE "schemaname" = current_schema() AND "tablename" = 'Relation' AND "indexname" <> 'Relation_pkey'`,
      );
      for (const { name, definition } of rows) {
        await client.query('INSERT INTO "DeferredIndex" ("name", "definition") VALUES ($1, $2) ON CONFLICT DO NOTHING', [name, definition]);
        await client.query(`DROP INDEX "${name}"`);
      }
    },
    restoreRelationIndexes: async () => {
      // DELETE first: a second process restoring at the same time waits for this one, then finds none.
      const { rows } = await client.query<IndexDefinition>('DELETE FROM "DeferredIndex" RETURNING "name", "definition"');
      for (const { definition } of rows) await client.query(ifNotExists(definition));
    },
    appendChange: async (change) => {
      await client.query(`SELECT pg_advisory_xact_lock(${CHANGE_LOG_LOCK})`);
      await client.query('INSERT INTO "ChangeLogEntry" ("change", "createdAt") VALUES ($1, $2)', [change, now]);
    },
  });
  return {
    async transaction(stamp, work) {
      await client.query('BEGIN');
      try {
        const result = await work(transactionOf(postgresTime(stamp)));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    deferredIndexCount: () => rowsOf('DeferredIndex'),
    close: () => client.end(),
  };
}
