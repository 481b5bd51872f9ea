import Database from 'better-sqlite3';
import type { RelationKind } from '../generated/prisma/enums';
import { sqliteFilePath } from './client';

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
 * SQLite file. It reads through better-sqlite3 directly, row arrays and no ORM objects, because
 * building the projection is dominated by this read.
 */
export function readGraphSnapshot(databaseUrl: string, visitor: GraphSnapshotVisitor): void {
  const database = new Database(sqliteFilePath(databaseUrl), { readonly: true, fileMustExist: true });
  try {
    database.exec('BEGIN');
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
  } finally {
    database.close();
  }
}
