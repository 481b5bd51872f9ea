import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRelationsCsv } from '../src/bulk/csv-import';
import { configuredKeyring, db, disconnectDb } from '../src/db/client';
import { applyMigrations } from '../src/db/migrate';
import { encrypt, primaryLookupHash } from '../src/db/pii';
import { moveImportKeysToExternalIds } from '../src/domain/import-keys';
import { IMPORTED_NAMES, importedPartyEmail } from '../src/domain/imports';
import { run } from './support/graphql';
import { onPostgres } from './support/test-database';

/**
 * The external_ids migration on a database that imports wrote the old way (key in `name`, email
 * derived from it): the migration is taken back out of the test database, old rows are written as
 * the old importer wrote them, then the migration is applied and the server's data step runs.
 */

const url = process.env.DATABASE_URL!;

async function undoExternalIdsMigration() {
  const statements = onPostgres
    ? ['ALTER TABLE "Consumer" DROP COLUMN "externalId"', 'ALTER TABLE "Provider" DROP COLUMN "externalId"']
    : [
        'DROP INDEX "Consumer_externalId_key"',
        'DROP INDEX "Provider_externalId_key"',
        'ALTER TABLE "Consumer" DROP COLUMN "externalId"',
        'ALTER TABLE "Provider" DROP COLUMN "externalId"',
      ];
  statements.push('DROP TABLE "ConsumerMerge"', 'DROP TABLE "PendingDataMigration"', `DELETE FROM "_prisma_migrations" WHERE "migration_name" LIKE '%_external_ids'`);
  for (const statement of statements) await db().$executeRawUnsafe(statement);
}

/** A time as each database's Prisma adapter stores DateTime. */
const storedNow = () => (onPostgres ? new Date().toISOString().replace('T', ' ').replace('Z', '') : new Date().toISOString().replace('Z', '+00:00'));

/** Inserts a row of `values`, the last two being createdAt and updatedAt. */
function insert(table: string, columns: string[], values: unknown[]) {
  const placeholders = values.map((_, index) => (onPostgres ? `$${index + 1}${index >= values.length - 2 ? '::timestamp' : ''}` : '?'));
  const list = [...columns, 'createdAt', 'updatedAt'].map((column) => `"${column}"`).join(', ');
  return db().$executeRawUnsafe(`INSERT INTO "${table}" (${list}) VALUES (${placeholders.join(', ')})`, ...values);
}

/** A consumer as the old importer (or the API) stored it: encrypted email, its lookup hash. */
async function oldConsumer(name: string, email: string) {
  const keyring = configuredKeyring();
  const now = storedNow();
  await insert('Consumer', ['name', 'email', 'emailHash', 'marketingConsent'], [name, encrypt(keyring, email), primaryLookupHash(keyring, email), false, now, now]);
}

async function oldProvider(name: string, contactEmail: string) {
  const now = storedNow();
  await insert('Provider', ['name', 'contactEmail', 'category'], [name, contactEmail, 'imported', now, now]);
}

it('leaves no data step pending when the migration runs on a database without parties', async () => {
  await undoExternalIdsMigration();
  await disconnectDb();
  await applyMigrations(url);
  expect(await db().pendingDataMigration.count()).toBe(0);
  expect(await moveImportKeysToExternalIds(db())).toBeNull();
});

it('moves the keys imports kept in names to externalId, and a later import finds those parties by them', async () => {
  await undoExternalIdsMigration();
  await oldConsumer('crm-1', importedPartyEmail('consumer', 'crm-1'));
  await oldConsumer('crm-2', importedPartyEmail('consumer', 'crm-2'));
  // Imported as crm-77, renamed through the API since: its name is real, its key is only a hash.
  await oldConsumer('Grace Hopper', importedPartyEmail('consumer', 'crm-77'));
  // Imported under a key that external IDs refuse (a space).
  await oldConsumer('old key', importedPartyEmail('consumer', 'old key'));
  // Created through the API.
  await oldConsumer('Ada Lovelace', 'ada@example.com');
  await oldProvider('shop-1', importedPartyEmail('provider', 'shop-1'));
  await oldProvider('Real Shop', 'shop@example.com');

  await disconnectDb();
  await applyMigrations(url);
  expect(await moveImportKeysToExternalIds(db())).toEqual({ moved: 3, keyUnknown: 1, keyInvalid: 1, keyTaken: 0 });
  // Once: the pending step is done.
  expect(await moveImportKeysToExternalIds(db())).toBeNull();

  const data = await run(`{
    c1: consumerByExternalId(externalId: "crm-1") { id name email externalId }
    c2: consumerByExternalId(externalId: "crm-2") { name }
    shop: providerByExternalId(externalId: "shop-1") { id name contactEmail category }
    kept: consumers(first: 10, filter: { nameContains: "Grace" }) { edges { node { name email externalId } } }
    ada: consumers(first: 10, filter: { email: "ada@example.com" }) { edges { node { name externalId } } }
    odd: consumers(first: 10, filter: { nameContains: "old key" }) { edges { node { externalId } } }
  }`);
  expect(data.c1).toMatchObject({ name: IMPORTED_NAMES.consumer, email: null, externalId: 'crm-1' });
  expect(data.c2).toEqual({ name: IMPORTED_NAMES.consumer });
  expect(data.shop).toMatchObject({ name: IMPORTED_NAMES.provider, contactEmail: importedPartyEmail('provider', 'shop-1'), category: 'imported' });
  expect(data.kept.edges).toEqual([{ node: { name: 'Grace Hopper', email: importedPartyEmail('consumer', 'crm-77'), externalId: null } }]);
  expect(data.ada.edges).toEqual([{ node: { name: 'Ada Lovelace', externalId: null } }]);
  expect(data.odd.edges).toEqual([{ node: { externalId: null } }]);

  const consumers = await db().consumer.count();
  const csv = join(mkdtempSync(join(tmpdir(), 'rapport-migrated-')), 'again.csv');
  writeFileSync(csv, 'consumer,provider,kind,occurredAt,amount,currency,rating\ncrm-1,shop-1,FAVORITE,2025-03-01T10:00:00Z,,,\n');
  expect(await importRelationsCsv(csv)).toMatchObject({ imported: 1, rejected: 0 });
  expect(await db().consumer.count()).toBe(consumers);
  const relation = await db().relation.findFirstOrThrow({ include: { consumer: true, provider: true } });
  expect([relation.consumer.externalId, relation.provider.externalId]).toEqual(['crm-1', 'shop-1']);
  expect(relation.providerId).toBe(Number(Buffer.from(data.shop.id, 'base64').toString().split(':')[1]));
});
