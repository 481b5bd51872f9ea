import pg from 'pg';
import Cursor from 'pg-cursor';
import type { RelationKind } from '../generated/prisma/enums';
import { LAST_CHANGE_SQL } from './change-log';
import { postgresTime } from './bulk-writer';
import type { GraphSnapshotVisitor, TimeRange } from './graph-source';

/** Rows fetched per round trip: large enough to amortise it, small enough to keep memory flat. */
const BATCH_ROWS = 10_000;

/**
 * PostgreSQL's snapshot read: one repeatable-read transaction, each table streamed through a
 * server-side cursor as row arrays, so memory stays flat however many relations there are.
 */
export async function readPostgresSnapshot(databaseUrl: string, visitor: GraphSnapshotVisitor, range?: TimeRange): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<[number]>({ text: LAST_CHANGE_SQL, rowMode: 'array' });
    await stream<[number]>(client, 'SELECT "id" FROM "Consumer"', [], ([id]) => visitor.party('consumer', id));
    await stream<[number]>(client, 'SELECT "id" FROM "Provider"', [], ([id]) => visitor.party('provider', id));
    type Row = [number, number, RelationKind, number, number | null, string | null, number | null];
    await stream<Row>(
      client,
      // Timestamps are stored as UTC without a zone; EXTRACT(EPOCH) reads them as UTC, as Prisma wrote them.
      `SELECT "consumerId", "providerId", "kind", (EXTRACT(EPOCH FROM "occurredAt") * 1000)::float8,
              "amountMinor", "currency", "rating"
       FROM "Relation"${range ? ` WHERE "occurredAt" >= $1::timestamp AND "occurredAt" < $2::timestamp` : ''}`,
      range ? [postgresTime(new Date(range.from)), postgresTime(new Date(range.to))] : [],
      ([consumerId, providerId, kind, occurredAt, amountMinor, currency, rating]) =>
        visitor.relation({ consumerId, providerId, kind, occurredAt, amountMinor, currency, rating }),
    );
    await client.query('COMMIT');
    return rows[0][0];
  } finally {
    await client.end();
  }
}

async function stream<Row extends unknown[]>(client: pg.Client, sql: string, values: unknown[], each: (row: Row) => void): Promise<void> {
  const cursor = client.query(new Cursor<Row>(sql, values, { rowMode: 'array' }));
  try {
    for (let rows = await cursor.read(BATCH_ROWS); rows.length > 0; rows = await cursor.read(BATCH_ROWS)) {
      for (const row of rows) each(row);
    }
  } finally {
    await cursor.close();
  }
}
