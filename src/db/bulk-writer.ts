import Database from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { once } from 'node:events';
import type { RelationKind } from '../generated/prisma/enums';
import { CHANGE_LOG_LOCK } from './change-log';
import { configuredKeyring } from './client';
import { dialectOf, sqliteFilePath } from './dialect';
import { type Keyring, encrypt, lookupHashes, primaryLookupHash } from './pii';

/**
 * Bulk writes through each driver's fast path, beside Prisma: prepared statements in one large
 * transaction on SQLite, COPY FROM STDIN on PostgreSQL. Consumers' emails are sealed as the PII
 * extension seals them (pii-extension.ts), so callers pass plaintext, as they do to Prisma.
 */

export interface NewConsumer {
  name: string;
  email: string;
  marketingConsent: boolean;
}

export interface NewProvider {
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
  /** Ids of the consumers with these emails (matched exactly, like a Prisma `email: { in }`), by email. */
  consumerIds(emails: string[]): Promise<Map<string, number>>;
  /** Ids of the providers with these contact emails, by contact email. */
  providerIds(contactEmails: string[]): Promise<Map<string, number>>;
  /** Inserts the consumers (their emails distinct); returns their ids in the order given. */
  insertConsumers(rows: NewConsumer[]): Promise<number[]>;
  /** Inserts the providers (their contact emails distinct); returns their ids in the order given. */
  insertProviders(rows: NewProvider[]): Promise<number[]>;
  insertRelations(rows: NewRelation[]): Promise<void>;
  /** Appends to the change log, committed with the rest (see appendToChangeLog). */
  appendChange(change: string): Promise<void>;
}

export interface BulkWriter {
  transaction<T>(stamp: Date, work: (tx: BulkTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function openBulkWriter(databaseUrl: string, keyring: Keyring = configuredKeyring()): Promise<BulkWriter> {
  return dialectOf(databaseUrl) === 'postgres' ? postgresWriter(databaseUrl, keyring) : Promise.resolve(sqliteWriter(databaseUrl, keyring));
}

/** The emails' lookup hashes under every key of the keyring, to the email each one hashes. */
function emailsByHash(keyring: Keyring, emails: string[]): Map<string, string> {
  const byHash = new Map<string, string>();
  for (const email of emails) for (const hash of lookupHashes(keyring, email.trim().toLowerCase())) byHash.set(hash, email);
  return byHash;
}

function sealedConsumer(keyring: Keyring, { email, ...consumer }: NewConsumer) {
  return { ...consumer, email: encrypt(keyring, email), emailHash: primaryLookupHash(keyring, email.trim().toLowerCase()) };
}

function distinct(values: string[], what: string): void {
  if (new Set(values).size !== values.length) throw new Error(`a bulk insert needs distinct ${what}`);
}

/** How Prisma's SQLite adapter stores a DateTime, so that Prisma reads and compares ours alike. */
/** A time as Prisma stores it in SQLite: ISO text with an explicit +00:00. */
export const sqliteTime = (time: Date) => time.toISOString().replace('Z', '+00:00');

/** SQLite waits this long for a server process holding the write lock. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;
const SQLITE_CACHE_KIB = 256 * 1024;

function sqliteWriter(databaseUrl: string, keyring: Keyring): BulkWriter {
  const database = new Database(sqliteFilePath(databaseUrl), { fileMustExist: true, timeout: SQLITE_BUSY_TIMEOUT_MS });
  // Index pages of a large table stay cached across a bulk load, instead of SQLite's default 2 MB.
  database.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  const statements = {
    consumerByHash: database.prepare('SELECT "id" FROM "Consumer" WHERE "emailHash" = ?').pluck(),
    providerByEmail: database.prepare('SELECT "id" FROM "Provider" WHERE "contactEmail" = ?').pluck(),
    consumer: database.prepare(
      'INSERT INTO "Consumer" ("name", "email", "emailHash", "marketingConsent", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
    ),
    provider: database.prepare(
      'INSERT INTO "Provider" ("name", "contactEmail", "category", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?)',
    ),
    relation: database.prepare(
      `INSERT INTO "Relation" ("consumerId", "providerId", "kind", "occurredAt", "amountMinor", "currency", "rating", "createdAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    change: database.prepare('INSERT INTO "ChangeLogEntry" ("change", "createdAt") VALUES (?, ?)'),
  };
  const idsBy = (statement: Database.Statement, keys: Map<string, string>) => {
    const ids = new Map<string, number>();
    for (const [key, value] of keys) {
      const id = statement.get(key) as number | undefined;
      if (id !== undefined) ids.set(value, id);
    }
    return ids;
  };
  /** The Relation indexes dropped for this transaction, rebuilt before it commits. */
  let deferred: { name: string; sql: string }[] | undefined;
  /**
   * Building an index once over sorted rows is several times faster than inserting into it row by
   * row in random order: when a load is at least as large as the table, the secondary indexes go
   * for the transaction and are rebuilt from their own SQL before it commits. Readers never see
   * their absence (WAL: they read the last commit).
   */
  const deferIndexesFor = (rows: number) => {
    if (deferred) return;
    const existing = (database.prepare('SELECT COALESCE(MAX("id"), 0) FROM "Relation"').pluck().get() as number) ?? 0;
    deferred = [];
    if (rows < existing) return;
    deferred = database
      .prepare(`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = 'Relation' AND "sql" IS NOT NULL`)
      .all() as { name: string; sql: string }[];
    for (const { name } of deferred) database.exec(`DROP INDEX "${name}"`);
  };
  const rebuildIndexes = () => {
    for (const { sql } of deferred ?? []) database.exec(sql);
    deferred = undefined;
  };
  const transactionOf = (now: string): BulkTransaction => ({
    consumerIds: async (emails) => idsBy(statements.consumerByHash, emailsByHash(keyring, emails)),
    providerIds: async (emails) => idsBy(statements.providerByEmail, new Map(emails.map((email) => [email, email]))),
    insertConsumers: async (rows) => {
      distinct(rows.map((row) => row.email), 'emails');
      return rows.map((row) => {
        const { name, email, emailHash, marketingConsent } = sealedConsumer(keyring, row);
        return Number(statements.consumer.run(name, email, emailHash, marketingConsent ? 1 : 0, now, now).lastInsertRowid);
      });
    },
    insertProviders: async (rows) => {
      distinct(rows.map((row) => row.contactEmail), 'contact emails');
      return rows.map(({ name, contactEmail, category }) => Number(statements.provider.run(name, contactEmail, category, now, now).lastInsertRowid));
    },
    insertRelations: async (rows) => {
      deferIndexesFor(rows.length);
      for (const { consumerId, providerId, kind, occurredAt, amountMinor, currency, rating } of rows) {
        statements.relation.run(consumerId, providerId, kind, sqliteTime(occurredAt), amountMinor, currency, rating, now);
      }
    },
    appendChange: async (change) => void statements.change.run(change, now),
  });
  return {
    async transaction(stamp, work) {
      // IMMEDIATE: take the write lock now, not halfway through, where a server's write could refuse it.
      database.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(transactionOf(sqliteTime(stamp)));
        rebuildIndexes();
        database.exec('COMMIT');
        return result;
      } catch (error) {
        deferred = undefined;
        if (database.inTransaction) database.exec('ROLLBACK');
        throw error;
      }
    },
    close: async () => void database.close(),
  };
}

/** PostgreSQL's text form of a UTC timestamp without zone, as Prisma stores DateTime. */
/** A time as Prisma stores it in PostgreSQL: a timestamp without zone, in UTC. */
export const postgresTime = (time: Date) => time.toISOString().replace('T', ' ').replace('Z', '');
/** Rows sent to COPY per write: enough to amortise the stream's overhead. */
const COPY_CHUNK_ROWS = 2000;

async function postgresWriter(databaseUrl: string, keyring: Keyring): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const idsBy = async (sql: string, keys: Map<string, string>) => {
    const { rows } = await client.query<[number, string]>({ text: sql, values: [[...keys.keys()]], rowMode: 'array' });
    return new Map(rows.map(([id, key]) => [keys.get(key)!, id]));
  };
  const inOrder = (rows: [number, string][], keys: string[]) => {
    const ids = new Map(rows.map(([id, key]) => [key, id]));
    return keys.map((key) => ids.get(key)!);
  };
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
  const transactionOf = (now: string): BulkTransaction => ({
    consumerIds: (emails) => idsBy('SELECT "id", "emailHash" FROM "Consumer" WHERE "emailHash" = ANY($1::text[])', emailsByHash(keyring, emails)),
    providerIds: (emails) =>
      idsBy('SELECT "id", "contactEmail" FROM "Provider" WHERE "contactEmail" = ANY($1::text[])', new Map(emails.map((email) => [email, email]))),
    insertConsumers: async (consumers) => {
      distinct(consumers.map((consumer) => consumer.email), 'emails');
      const sealed = consumers.map((consumer) => sealedConsumer(keyring, consumer));
      const { rows } = await client.query<[number, string]>({
        text: `INSERT INTO "Consumer" ("name", "email", "emailHash", "marketingConsent", "createdAt", "updatedAt")
               SELECT "name", "email", "emailHash", "consent", $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[])
                 AS input("name", "email", "emailHash", "consent")
               RETURNING "id", "emailHash"`,
        values: [sealed.map((c) => c.name), sealed.map((c) => c.email), sealed.map((c) => c.emailHash), sealed.map((c) => c.marketingConsent), now],
        rowMode: 'array',
      });
      return inOrder(rows, sealed.map((consumer) => consumer.emailHash));
    },
    insertProviders: async (providers) => {
      distinct(providers.map((provider) => provider.contactEmail), 'contact emails');
      const { rows } = await client.query<[number, string]>({
        text: `INSERT INTO "Provider" ("name", "contactEmail", "category", "createdAt", "updatedAt")
               SELECT "name", "contactEmail", "category", $4, $4 FROM unnest($1::text[], $2::text[], $3::text[])
                 AS input("name", "contactEmail", "category")
               RETURNING "id", "contactEmail"`,
        values: [providers.map((p) => p.name), providers.map((p) => p.contactEmail), providers.map((p) => p.category), now],
        rowMode: 'array',
      });
      return inOrder(rows, providers.map((provider) => provider.contactEmail));
    },
    insertRelations: (rows) => copyRelations(rows, now),
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
    close: () => client.end(),
  };
}
