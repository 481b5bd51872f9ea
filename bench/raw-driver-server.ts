import Database from 'better-sqlite3';
import { createServer } from 'node:http';
import { config } from '../src/config';
import { sqliteFilePath } from '../src/db/dialect';
import { decrypt, keyringText, parseKeyring } from '../src/db/pii';

/**
 * The floor of bench/graphql-throughput.ts: a bare node:http handler reading the same rows as the
 * GraphQL query through the driver itself (better-sqlite3 prepared statements), no ORM. It
 * decrypts the email as the server must. GET /consumer?id=N&first=20. SQLite only.
 */

const database = new Database(sqliteFilePath(config().databaseUrl), { readonly: true, fileMustExist: true });
const keyring = parseKeyring(keyringText(config().piiKeys));
const consumerById = database.prepare('SELECT "name", "email" FROM "Consumer" WHERE "id" = ?');
const newestRelations = database.prepare(
  `SELECT r."id", r."kind", r."occurredAt", r."amountMinor", r."currency", r."rating", p."name" AS "providerName"
     FROM "Relation" r JOIN "Provider" p ON p."id" = r."providerId"
    WHERE r."consumerId" = ? ORDER BY r."occurredAt" DESC, r."id" DESC LIMIT ?`,
);

interface RelationRow {
  id: number;
  kind: string;
  occurredAt: string;
  amountMinor: number | null;
  currency: string | null;
  rating: number | null;
  providerName: string;
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const id = Number(url.searchParams.get('id'));
  const first = Number(url.searchParams.get('first') ?? 20);
  const consumer = consumerById.get(id) as { name: string; email: string | null } | undefined;
  // As a connection does: one row more than the page, to know whether there is a next page.
  const rows = consumer ? (newestRelations.all(id, first + 1) as RelationRow[]) : [];
  const body = consumer && {
    name: consumer.name,
    email: consumer.email === null ? null : decrypt(keyring, consumer.email),
    relations: rows.slice(0, first).map(({ providerName, occurredAt, ...relation }) => ({
      ...relation,
      occurredAt: new Date(occurredAt).toISOString(),
      provider: { name: providerName },
    })),
  };
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ data: { consumer: body } }));
});

server.listen(config().port, '127.0.0.1', () => console.log(`raw-driver handler listening on ${config().port}`));
