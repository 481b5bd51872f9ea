import type { Consumer, Provider, Relation } from '../generated/prisma/client';
import { configuredKeyring } from './client';
import { config } from '../config';
import { dialectOf } from './dialect';
import { type PreparedRead, driver } from './driver';
import { decrypt } from './pii';

/**
 * Rows read through the driver's prepared statements (driver.ts) as Prisma would return them,
 * for the hot reads where Prisma's per-query cost dwarfs the database's: each table's columns,
 * how to read them, and consumers' personal fields decrypted as the PII extension does.
 */

type ColumnType = 'int' | 'text' | 'bool' | 'time';
type Columns<Row> = { [Field in keyof Row]-?: ColumnType };

export const CONSUMER: Columns<Consumer> = {
  id: 'int', externalId: 'text', name: 'text', email: 'text', emailHash: 'text', phone: 'text', marketingConsent: 'bool', erasedAt: 'time', createdAt: 'time', updatedAt: 'time',
};
export const RELATION: Columns<Relation> = {
  id: 'int', consumerId: 'int', providerId: 'int', kind: 'text', occurredAt: 'time', amountMinor: 'int', currency: 'text', rating: 'int', comment: 'text', createdAt: 'time',
};
export const PROVIDER: Columns<Provider> = {
  id: 'int', externalId: 'text', name: 'text', contactEmail: 'text', category: 'text', website: 'text', description: 'text', createdAt: 'time', updatedAt: 'time',
};

const onPostgres = () => dialectOf(config().databaseUrl) === 'postgres';

/** The select list of a table's columns; PostgreSQL's zone-less timestamps are read as the UTC they hold. */
export function selectList(table: string, columns: Columns<object>): string {
  return Object.entries(columns)
    .map(([name, type]) => (type === 'time' && onPostgres() ? `("${table}"."${name}" AT TIME ZONE 'UTC')` : `"${table}"."${name}"`))
    .join(', ');
}

const CONVERT: Record<ColumnType, (value: unknown) => unknown> = {
  int: Number,
  text: (value) => value,
  bool: Boolean,
  time: (value) => new Date(value as string | Date),
};

/** Reads the object Prisma would return from a row of values, the columns' values from `offset` on. */
export function rowReader<Row>(columns: Columns<Row>, offset = 0): (values: unknown[]) => Row {
  const fields = Object.entries(columns as Record<string, ColumnType>).map(([name, type], index) => ({ name, convert: CONVERT[type], at: offset + index }));
  return (values) => {
    const row: Record<string, unknown> = {};
    for (const { name, convert, at } of fields) {
      const value = values[at];
      row[name] = value === null ? null : convert(value);
    }
    return row as Row;
  };
}

const readConsumerColumns = rowReader(CONSUMER);

/**
 * A consumer from its columns, its email and phone decrypted when first read, as the PII
 * extension's results do: most answers never read them (a ranking's hundred consumers would
 * cost two hundred decryptions), and a row whose key is missing fails only where it is read.
 */
export function readConsumer(values: unknown[]): Consumer {
  const consumer = readConsumerColumns(values);
  for (const field of ['email', 'phone'] as const) {
    const sealed = consumer[field];
    if (sealed !== null) decryptedOnRead(consumer, field, sealed);
  }
  return consumer;
}

function decryptedOnRead(consumer: Consumer, field: 'email' | 'phone', sealed: string): void {
  const settle = (value: string | null) => Object.defineProperty(consumer, field, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(consumer, field, {
    enumerable: true,
    configurable: true,
    get: () => {
      const plain = decrypt(configuredKeyring(), sealed);
      settle(plain);
      return plain;
    },
    set: settle,
  });
}

const readProvider = rowReader(PROVIDER);

/** Rows of `table` by ID, in one statement whatever the number of IDs. */
function byIds(table: string, columns: Columns<object>): PreparedRead {
  const ids = onPostgres() ? '= ANY($1::int[])' : 'IN (SELECT "value" FROM json_each($1))';
  return { name: `rapport_${table.toLowerCase()}_by_ids`, sql: `SELECT ${selectList(table, columns)} FROM "${table}" WHERE "id" ${ids}` };
}

let statements: { consumers: PreparedRead; providers: PreparedRead } | undefined;

async function rowsByIds(statement: PreparedRead, ids: number[]): Promise<unknown[][]> {
  if (ids.length === 0) return [];
  return driver().rows(statement, [onPostgres() ? ids : JSON.stringify(ids)]);
}

/** The consumers and providers of these IDs that exist, in no particular order: `findMany({ where: { id: { in } } })` of each. */
export async function partiesByIds(consumerIds: number[], providerIds: number[]): Promise<{ consumers: Consumer[]; providers: Provider[] }> {
  statements ??= { consumers: byIds('Consumer', CONSUMER), providers: byIds('Provider', PROVIDER) };
  const [consumers, providers] = await Promise.all([rowsByIds(statements.consumers, consumerIds), rowsByIds(statements.providers, providerIds)]);
  return { consumers: consumers.map(readConsumer), providers: providers.map(readProvider) };
}

/** A consumer by ID, or null: `findUnique({ where: { id } })`. */
export async function consumerById(id: number): Promise<Consumer | null> {
  return (await partiesByIds([id], [])).consumers[0] ?? null;
}

/** A provider by ID, or null: `findUnique({ where: { id } })`. */
export async function providerById(id: number): Promise<Provider | null> {
  return (await partiesByIds([], [id])).providers[0] ?? null;
}

/** Whether Pothos's Prisma arguments for a field ask for the row alone: no relation included, no selection narrowed. */
export const asksRowAlone = (query: object) => Object.keys(query).length === 0;
