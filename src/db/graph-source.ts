import Database from 'better-sqlite3';
import type { RelationKind } from '../generated/prisma/enums';
import { LAST_CHANGE_SQL } from './change-log';
import { dialectOf, sqliteFilePath } from './dialect';
import { readPostgresSnapshot } from './graph-source-postgres';

/** One relation as the graph projection reads it: the columns it needs, nothing else. */
export interface RelationRecord {
  consumerId: number;
  providerId: number;
  kind: RelationKind;
  occurredAt: number;
  amountMinor: number | null;
  currency: string | null;
  rating: number | null;
}

export interface GraphSnapshotVisitor {
  party(party: 'consumer' | 'provider', id: number): void;
  relation(relation: RelationRecord): void;
}

/**
 * Streams every consumer, provider and relation to `visitor` from one consistent snapshot of the
 * database, and resolves with the id of the last change log entry that snapshot includes.
 */
export async function readGraphSnapshot(databaseUrl: string, visitor: GraphSnapshotVisitor): Promise<number> {
  return dialectOf(databaseUrl) === 'postgres'
    ? readPostgresSnapshot(databaseUrl, visitor)
    : readSqliteSnapshot(databaseUrl, visitor);
}

/**
 * Reads through better-sqlite3 directly, row arrays and no ORM objects, because building the
 * projection is dominated by this read.
 */
function readSqliteSnapshot(databaseUrl: string, visitor: GraphSnapshotVisitor): number {
  const database = new Database(sqliteFilePath(databaseUrl), { readonly: true, fileMustExist: true });
  try {
    database.exec('BEGIN');
    const [lastChange] = database.prepare(LAST_CHANGE_SQL).raw().get() as [number];
    for (const [id] of database.prepare('SELECT id FROM "Consumer"').raw().iterate() as Iterable<[number]>) {
      visitor.party('consumer', id);
    }
    for (const [id] of database.prepare('SELECT id FROM "Provider"').raw().iterate() as Iterable<[number]>) {
      visitor.party('provider', id);
    }
    const relations = database
      .prepare(
        'SELECT "consumerId", "providerId", "kind", "occurredAt", "amountMinor", "currency", "rating" FROM "Relation"',
      )
      .raw();
    type Row = [number, number, RelationKind, string, number | null, string | null, number | null];
    for (const [consumerId, providerId, kind, occurredAt, amountMinor, currency, rating] of relations.iterate() as Iterable<Row>) {
      visitor.relation({ consumerId, providerId, kind, occurredAt: Date.parse(occurredAt), amountMinor, currency, rating });
    }
    database.exec('COMMIT');
    return lastChange;
  } finally {
    database.close();
  }
}
