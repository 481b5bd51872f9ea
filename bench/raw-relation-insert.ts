import Database from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { once } from 'node:events';
import type { NewRelation } from '../src/db/bulk-writer';
import { dialectOf, sqliteFilePath } from '../src/db/dialect';
import { timeOnce, timeOnceAsync } from './measure';

/**
 * The floor of bench/bulk-load.ts: relations written straight through the driver, no rules, no
 * ORM, into a migrated, empty database. Their parties (consumer n and provider n get id n) are
 * written first, untimed. Resolves with the milliseconds the relations took.
 */
export async function rawRelationInsert(databaseUrl: string, relations: NewRelation[]): Promise<number> {
  const consumers = relations.reduce((most, relation) => Math.max(most, relation.consumerId), 0);
  const providers = relations.reduce((most, relation) => Math.max(most, relation.providerId), 0);
  return dialectOf(databaseUrl) === 'postgres'
    ? postgresInsert(databaseUrl, relations, consumers, providers)
    : sqliteInsert(databaseUrl, relations, consumers, providers);
}

const COLUMNS = '"consumerId", "providerId", "kind", "occurredAt", "amountMinor", "currency", "rating", "createdAt"';

function sqliteInsert(databaseUrl: string, relations: NewRelation[], consumers: number, providers: number): number {
  const database = new Database(sqliteFilePath(databaseUrl));
  try {
    const now = new Date().toISOString();
    const consumer = database.prepare('INSERT INTO "Consumer" ("id", "name", "updatedAt") VALUES (?, ?, ?)');
    const provider = database.prepare('INSERT INTO "Provider" ("id", "name", "contactEmail", "category", "updatedAt") VALUES (?, ?, ?, ?, ?)');
    database.transaction(() => {
      for (let id = 1; id <= consumers; id++) consumer.run(id, `Consumer ${id}`, now);
      for (let id = 1; id <= providers; id++) provider.run(id, `Provider ${id}`, `provider-${id}@raw.example`, 'raw', now);
    })();
    const insert = database.prepare(`INSERT INTO "Relation" (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    return timeOnce(() =>
      database.transaction(() => {
        for (const r of relations) {
          insert.run(r.consumerId, r.providerId, r.kind, r.occurredAt.toISOString(), r.amountMinor, r.currency, r.rating, now);
        }
      })(),
    ).ms;
  } finally {
    database.close();
  }
}

async function postgresInsert(databaseUrl: string, relations: NewRelation[], consumers: number, providers: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`INSERT INTO "Consumer" ("id", "name", "updatedAt") SELECT n, 'Consumer ' || n, now() FROM generate_series(1, $1) n`, [consumers]);
    await client.query(
      `INSERT INTO "Provider" ("id", "name", "contactEmail", "category", "updatedAt")
       SELECT n, 'Provider ' || n, 'provider-' || n || '@raw.example', 'raw', now() FROM generate_series(1, $1) n`,
      [providers],
    );
    const time = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');
    const text = (value: string | number | null) => (value === null ? '\\N' : String(value));
    const now = time(new Date());
    const { ms } = await timeOnceAsync(async () => {
      const stream = client.query(copyFrom(`COPY "Relation" (${COLUMNS}) FROM STDIN`));
      for (let start = 0; start < relations.length; start += 2000) {
        const chunk = relations
          .slice(start, start + 2000)
          .map((r) => `${r.consumerId}\t${r.providerId}\t${r.kind}\t${time(r.occurredAt)}\t${text(r.amountMinor)}\t${text(r.currency)}\t${text(r.rating)}\t${now}\n`)
          .join('');
        if (!stream.write(chunk)) await once(stream, 'drain');
      }
      stream.end();
      await once(stream, 'finish');
    });
    return ms;
  } finally {
    await client.end();
  }
}
