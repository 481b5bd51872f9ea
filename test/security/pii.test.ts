import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config } from '../../src/config';
import { createDb, db, disconnectDb } from '../../src/db/client';
import { dialectOf, sqliteFilePath } from '../../src/db/dialect';
import { PiiKeyError, newKeyringEntry, parseKeyring, readKeyFile } from '../../src/db/pii';
import { compactSqlite } from '../../src/db/migrate';
import { reencryptPii, sealPlaintextPii } from '../../src/db/pii-maintenance';
import { createConsumer } from '../support/factories';
import { execute, run } from '../support/graphql';

const onSqlite = dialectOf(config().databaseUrl) === 'sqlite';
const databaseFile = sqliteFilePath(config().databaseUrl);
const EMAIL = 'grace.hopper@example.com';
const PHONE = '+12025550123';

/** Every byte SQLite holds for the database: the file and its write-ahead log (on SQLite). */
function rawDatabaseBytes(): string {
  if (!onSqlite) return '';
  return [databaseFile, `${databaseFile}-wal`]
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('');
}

/** The stored columns, read with raw SQL, past the extension. */
function rawConsumers() {
  return db().$queryRaw<{ id: number; email: string | null; emailHash: string | null; phone: string | null }[]>`
    SELECT "id", "email", "emailHash", "phone" FROM "Consumer" ORDER BY "id"`;
}

let grace: { id: string };
/** The keyring that reads everything stored so far; tests below rotate keys. */
let readable = process.env.PII_KEYS!;

beforeAll(async () => {
  grace = await createConsumer({ name: 'Grace Hopper', email: 'Grace.Hopper@Example.com', phone: PHONE });
});

it('stores no plaintext email or phone number in the database (nor, on SQLite, anywhere in its file)', async () => {
  const bytes = rawDatabaseBytes() + JSON.stringify(await rawConsumers());
  expect(bytes).not.toContain(EMAIL);
  expect(bytes).not.toContain('grace.hopper');
  expect(bytes).not.toContain('2025550123');
  const [row] = await rawConsumers();
  expect(row.email).toMatch(/^pii1\.k\d{14}-[0-9a-f]{6}\./);
  expect(row.phone).toMatch(/^pii1\.k\d{14}-[0-9a-f]{6}\./);
  expect(row.emailHash).toMatch(/^[\w-]{43}$/);
});

it('serves the plaintext through the API and finds a consumer by email in any letter case', async () => {
  const data = await run(
    `query ($email: String!) { consumers(filter: { email: $email }) { edges { node { id email phone } } } }`,
    { email: 'GRACE.HOPPER@example.COM' },
  );
  expect(data.consumers.edges).toEqual([{ node: { id: grace.id, email: EMAIL, phone: PHONE } }]);
});

it('still refuses a second consumer with the same email, whatever its case', async () => {
  const data = await run(
    `mutation { createConsumer(input: { name: "Copy", email: "GRACE.hopper@example.com" }) { __typename ... on Error { message } } }`,
  );
  expect(data.createConsumer).toEqual({ __typename: 'ConflictError', message: 'email: is already used by another consumer' });
});

it('cannot be read with another key', async () => {
  const stranger = createDb(config().databaseUrl, parseKeyring(newKeyringEntry()));
  const consumer = await stranger.consumer.findFirst();
  expect(() => consumer!.email).toThrow(PiiKeyError);
  await stranger.$disconnect();
});

it('re-encrypts everything under a new primary key, after which the old key is not needed', async () => {
  const newEntry = newKeyringEntry(new Date('2030-01-01T00:00:00Z'));
  readable = `${newEntry},${readable}`;
  const rotating = createDb(config().databaseUrl, parseKeyring(readable));
  expect(await reencryptPii(rotating)).toBeGreaterThan(0);
  await rotating.$disconnect();
  expect((await rawConsumers()).every((row) => row.email!.startsWith('pii1.k20300101000000-'))).toBe(true);

  const newOnly = createDb(config().databaseUrl, parseKeyring(newEntry));
  const found = await newOnly.consumer.findMany({ where: { email: EMAIL } });
  expect(found.map((consumer) => consumer.phone)).toEqual([PHONE]);
  await newOnly.$disconnect();
});

it('encrypts consumers stored before encryption existed', async () => {
  const client = createDb(config().databaseUrl, parseKeyring(readable));
  await client.$executeRaw`
    INSERT INTO "Consumer" ("name", "email", "marketingConsent", "updatedAt") VALUES ('Old', 'old@example.com', false, ${new Date()})`;
  // Reads fail loudly on plaintext until it is sealed; that is why the server seals at start.
  expect(await sealPlaintextPii(client)).toBe(1);
  if (onSqlite) compactSqlite(config().databaseUrl);
  expect(rawDatabaseBytes() + JSON.stringify(await rawConsumers())).not.toContain('old@example.com');
  expect((await client.consumer.findFirst({ where: { email: 'old@example.com' } }))?.name).toBe('Old');
  await client.$disconnect();
});

describe('the embedded default’s key file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rapport-keys-'));

  it('is generated once, readable by its owner only', () => {
    const file = join(folder, 'data', 'pii-keys');
    const first = readKeyFile(file);
    expect(readKeyFile(file)).toBe(first);
    expect(parseKeyring(first).keys).toHaveLength(1);
  });

  it('is refused when others can read it', () => {
    const file = join(folder, 'exposed');
    writeFileSync(file, newKeyringEntry());
    chmodSync(file, 0o644);
    expect(() => readKeyFile(file)).toThrow(/readable by others \(mode 644\); run chmod 600/);
  });
});

it('rotates the key file with `npm run pii:rotate`: new key in, data re-encrypted, old key out', async () => {
  await disconnectDb();
  const keyFile = join(mkdtempSync(join(tmpdir(), 'rapport-rotate-')), 'pii-keys');
  writeFileSync(keyFile, `${readable}\n`, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { ...process.env, PII_KEY_FILE: keyFile };
  delete env.PII_KEYS;
  const output = execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/rotate-pii-key.ts'], {
    cwd: join(__dirname, '..', '..'),
    env,
    encoding: 'utf8',
  });
  expect(output).toMatch(/Re-encrypted \d+ consumers and \d+ webhook endpoints' secrets under PII key k\d{14}-[0-9a-f]{6}/);
  const rotated = readFileSync(keyFile, 'utf8').trim();
  expect(rotated.split(',')).toHaveLength(1);
  expect(readable).not.toContain(rotated);

  const client = createDb(config().databaseUrl, parseKeyring(rotated));
  expect((await client.consumer.findFirst({ where: { email: EMAIL } }))?.phone).toBe(PHONE);
  await client.$disconnect();
  // The test's own keyring is now retired: the API must fail loudly rather than serve garbage.
  const result = await execute('{ consumers(first: 1) { edges { node { email } } } }');
  expect(result.errors?.[0].message).toBe('Unexpected error.');
});
