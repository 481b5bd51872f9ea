import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRelationsCsv } from '../src/bulk/csv-import';
import { db, disconnectDb } from '../src/db/client';
import { parseId } from '../src/schema/ids';
import { adminKey, run } from './support/graphql';
import { IMPORTED_NAMES, importedPartyEmail } from '../src/domain/imports';
import { freePort, startServer, waitUntilServing } from './support/server-process';
import { relationIndexes } from './support/relation-indexes';
import { applyMigrations } from '../src/db/migrate';

const root = join(__dirname, '..');
const directory = mkdtempSync(join(tmpdir(), 'rapport-import-'));
const HEADER = 'consumer,provider,kind,occurredAt,amount,currency,rating';

function writeCsv(name: string, rows: string[]): string {
  const path = join(directory, name);
  writeFileSync(path, [HEADER, ...rows, ''].join('\n'));
  return path;
}

/** `rows` rows over a few consumers and providers; every `badEvery`-th one has a rating out of range. */
function generatedRows(prefix: string, rows: number, badEvery: number): string[] {
  return Array.from({ length: rows }, (_, index) => {
    const parties = `${prefix}-c${index % 13},${prefix}-p${index % 5}`;
    const at = new Date(Date.UTC(2025, 0, 1) + index * 60_000).toISOString();
    if ((index + 1) % badEvery === 0) return `${parties},REVIEW,${at},,,7`;
    return index % 2 === 0 ? `${parties},PURCHASE,${at},${index}.25,EUR,` : `${parties},REVIEW,${at},,,${1 + (index % 5)}`;
  });
}

const relationsOf = (prefix: string) => db().relation.count({ where: { consumer: { externalId: { startsWith: `${prefix}-` } } } });

describe('npm run import', () => {
  it('stores the good rows and reports each bad one by its line number', async () => {
    const csv = writeCsv('mixed.csv', [
      'ada,acme-books,PURCHASE,2025-03-01T10:00:00Z,12.50,eur,', // line 2
      'ada,acme-books,REVIEW,2025-03-02T10:00:00Z,,,9', // 3: rating out of range
      'bob,acme-books,review,2025-03-03T10:00:00Z,,,4', // 4
      'bob,"globex:inc",SUBSCRIPTION,yesterday,9.999,EUR,', // 5: bad date and too many decimals
      ',globex,FAVORITE,2025-03-04T10:00:00Z,,,', // 6: no consumer key
      'carol,globex,FAVORITE', // 7: too few fields
      'carol,"globex:inc",PURCHASE,2025-03-05T10:00:00Z,1500,JPY,', // 8
      'dave,globex,GIFT,2025-03-05T10:00:00Z,,,', // 9: unknown kind
      'ada@example.com,globex,FAVORITE,2025-03-05T10:00:00Z,,,', // 10: an email is no external ID
    ]);
    const reported: string[] = [];
    const summary = await importRelationsCsv(csv, { batchSize: 3, onReject: (row) => reported.push(`${row.line}: ${row.problem}`) });

    expect(summary).toMatchObject({ imported: 3, rejected: 6, line: 10 });
    expect(reported).toEqual([
      '3: rating: must be from 1 to 5',
      '5: amount: must be a non-negative amount with at most 2 decimals for EUR, such as 12.50; occurredAt: must be a date-time such as 2026-03-01T12:00:00Z',
      '6: consumer: must not be empty',
      '7: has 3 fields, expected 7',
      '9: kind: must be one of PURCHASE, REVIEW, SUBSCRIPTION, FAVORITE',
      '10: consumer: must be letters, digits and . _ : / - (starting with a letter or digit), such as crm-4711',
    ]);
    expect(readFileSync(summary.rejectsPath, 'utf8')).toBe(reported.map((line) => `line ${line}\n`).join(''));

    const stored = await db().relation.findMany({
      orderBy: { occurredAt: 'asc' },
      select: {
        kind: true,
        amountMinor: true,
        currency: true,
        rating: true,
        consumer: { select: { externalId: true, name: true, email: true } },
        provider: { select: { externalId: true, name: true, contactEmail: true } },
      },
    });
    const consumer = (key: string) => ({ externalId: key, name: IMPORTED_NAMES.consumer, email: null });
    const provider = (key: string) => ({ externalId: key, name: IMPORTED_NAMES.provider, contactEmail: importedPartyEmail('provider', key) });
    // Consumers come back through the PII extension as proxies: compare their fields as plain data.
    expect(JSON.parse(JSON.stringify(stored))).toEqual([
      { kind: 'PURCHASE', amountMinor: 1250, currency: 'EUR', rating: null, consumer: consumer('ada'), provider: provider('acme-books') },
      { kind: 'REVIEW', amountMinor: null, currency: null, rating: 4, consumer: consumer('bob'), provider: provider('acme-books') },
      { kind: 'PURCHASE', amountMinor: 1500, currency: 'JPY', rating: null, consumer: consumer('carol'), provider: provider('globex:inc') },
    ]);
    // Parties are created once, as met: bob named in a rejected row only is created for his good row.
    expect(await db().consumer.count({ where: { externalId: { in: ['ada', 'bob', 'carol'] } } })).toBe(3);
    expect(await db().provider.count({ where: { category: 'imported' } })).toBe(2);
  });

  it('reports a row that is not valid CSV and keeps reading the next ones', async () => {
    const csv = writeCsv('quotes.csv', [
      'gina,umbrella,FAVORITE,2025-03-01T10:00:00Z,,,',
      'hank,umb"rella,FAVORITE,2025-03-01T10:00:00Z,,,',
      'ivan,umbrella,FAVORITE,2025-03-01T10:00:00Z,,,',
    ]);
    const reported: string[] = [];
    const summary = await importRelationsCsv(csv, { onReject: (row) => reported.push(`${row.line}: ${row.problem}`) });
    expect(summary).toMatchObject({ imported: 2, rejected: 1, line: 4 });
    expect(reported).toEqual([expect.stringMatching(/^3: unreadable CSV: Invalid Opening Quote/)]);
    expect(await db().relation.count({ where: { provider: { externalId: 'umbrella' } } })).toBe(2);
  });

  it('finds parties by external ID: those created through the API, and a merged account’s key finds the survivor', async () => {
    const { upserted, survivor } = await partiesKnownByExternalId();
    const csv = writeCsv('known.csv', [
      'crm-ada,shop-7,FAVORITE,2025-03-01T10:00:00Z,,,',
      'crm-ada-old,shop-7,REVIEW,2025-03-02T10:00:00Z,,,5',
      'crm-new,shop-7,FAVORITE,2025-03-03T10:00:00Z,,,',
    ]);
    expect(await importRelationsCsv(csv)).toMatchObject({ imported: 3, rejected: 0 });
    const relations = await db().relation.findMany({ where: { provider: { externalId: 'shop-7' } }, orderBy: { occurredAt: 'asc' } });
    const created = await db().consumer.findUniqueOrThrow({ where: { externalId: 'crm-new' } });
    expect(relations.map((relation) => [relation.consumerId, relation.providerId])).toEqual([
      [survivor, upserted.provider],
      [survivor, upserted.provider],
      [created.id, upserted.provider],
    ]);
    expect(await db().provider.count({ where: { externalId: 'shop-7' } })).toBe(1);
  });

  it('refuses a file whose header is not the expected one, naming it', async () => {
    const csv = join(directory, 'header.csv');
    writeFileSync(csv, 'customer,provider,kind\nada,acme,FAVORITE\n');
    await expect(importRelationsCsv(csv)).rejects.toThrow(`the header must be ${HEADER}, not customer,provider,kind`);
  });

  it('fails with the reading thread’s error when the file cannot be read, storing nothing', async () => {
    const before = await db().relation.count();
    const folder = mkdtempSync(join(directory, 'not-a-file-'));
    await expect(importRelationsCsv(folder)).rejects.toThrow('EISDIR');
    expect(await db().relation.count()).toBe(before);
  });

  it('resumes after a crash between a commit and its checkpoint without storing a row twice', async () => {
    const csv = writeCsv('crash.csv', generatedRows('crash', 100, 9));
    const indexes = await relationIndexes();
    const crash = new Error('simulated crash');
    await expect(
      importRelationsCsv(csv, {
        batchSize: 15,
        afterCommit: (batch) => {
          if (batch === 3) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(await relationsOf('crash')).toBe(45 - 5); // three batches of 15 rows, 5 of them bad
    // A load larger than the table defers Relation's indexes; a crash leaves them deferred, and
    // what a server start does (migrations) rebuilds them.
    expect(await relationIndexes()).toEqual([]);
    expect(await db().deferredIndex.count()).toBe(indexes.length);
    await applyMigrations(process.env.DATABASE_URL!);
    expect(await relationIndexes()).toEqual(indexes);

    const resumed = await importRelationsCsv(csv, { batchSize: 15 });
    expect(resumed).toMatchObject({ resumedAfterLine: 46, imported: 89, rejected: 11, line: 101 });
    expect(await relationsOf('crash')).toBe(89);
    const rejects = readFileSync(resumed.rejectsPath, 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(11);
    expect(new Set(rejects).size).toBe(11);

    const again = await importRelationsCsv(csv, { batchSize: 15 });
    expect(again).toMatchObject({ resumedAfterLine: 101, imported: 89, rejected: 11 });
    expect(await relationsOf('crash')).toBe(89);
    expect(await relationIndexes()).toEqual(indexes);
    expect(await db().deferredIndex.count()).toBe(0);
  });

  it('resumes after the import process is killed, with exact counts', async () => {
    const rows = 30000;
    const csv = writeCsv('killed.csv', generatedRows('killed', rows, 50));
    const indexes = await relationIndexes();
    const importer = runImport(csv, '200');
    while (committedLine(`${csv}.checkpoint`) <= 1 && importer.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10));
    importer.kill('SIGKILL');
    await new Promise((resolve) => importer.on('exit', resolve));
    expect(await relationsOf('killed')).toBeLessThan(rows);
    expect(await relationIndexes()).toEqual([]); // deferred for a load larger than the table

    const finished = runImport(csv, '200');
    let output = '';
    finished.stderr!.on('data', (chunk) => (output += chunk));
    expect(await new Promise((resolve) => finished.on('exit', resolve))).toBe(0);
    expect(output).toMatch(/Imported 29400 relations, rejected 600 rows \(resumed after line \d+\)/);
    expect(await relationsOf('killed')).toBe(29400);
    expect(await relationIndexes()).toEqual(indexes);
  });

  it('leaves data that the analytics of a server started afterwards see', async () => {
    const csv = writeCsv('served.csv', ['erin,initech,FAVORITE,2025-04-01T10:00:00Z,,,', 'frank,initech,PURCHASE,2025-04-02T10:00:00Z,3.00,USD,']);
    await importRelationsCsv(csv);
    const authorization = `Bearer ${await adminKey()}`;
    const expected = {
      consumers: await db().consumer.count(),
      providers: await db().provider.count(),
      edges: (await db().relation.groupBy({ by: ['consumerId', 'providerId'] })).length,
    };

    // The server migrates the file at start, which waits for no other connection.
    await disconnectDb();
    const port = await freePort();
    const server = startServer({ PORT: String(port), DATABASE_URL: process.env.DATABASE_URL! });
    try {
      await waitUntilServing(server);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: '{ graphStats { consumers providers edges } }' }),
      });
      const { data } = await response.json();
      expect(data.graphStats).toEqual(expected);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

/** A provider and a consumer upserted by external ID through the API; another account (crm-ada-old) merged into the consumer. */
async function partiesKnownByExternalId() {
  const provider = await run(
    `mutation { upsertProvider(externalId: "shop-7", input: { name: "Shop Seven", contactEmail: "seven@example.com", category: "retail" }) {
      ... on UpsertProviderSuccess { provider { id } } } }`,
  );
  const upsert = (externalId: string, email: string) =>
    run(`mutation ($externalId: String!, $email: String!) {
      upsertConsumer(externalId: $externalId, input: { name: "Ada", email: $email }) { ... on UpsertConsumerSuccess { consumer { id } } } }`, {
      externalId,
      email,
    });
  const ada = (await upsert('crm-ada', 'ada@example.com')).upsertConsumer.consumer.id;
  const old = (await upsert('crm-ada-old', 'ada.old@example.com')).upsertConsumer.consumer.id;
  const merged = await run(`mutation ($into: ID!, $from: [ID!]!) { mergeConsumers(into: $into, from: $from) { __typename } }`, { into: ada, from: [old] });
  expect(merged.mergeConsumers.__typename).toBe('MergeConsumersSuccess');
  return { upserted: { provider: parseId(provider.upsertProvider.provider.id, 'Provider', 'id') }, survivor: parseId(ada, 'Consumer', 'id') };
}

function committedLine(checkpoint: string): number {
  return existsSync(checkpoint) ? JSON.parse(readFileSync(checkpoint, 'utf8')).committed.line : 0;
}

function runImport(csv: string, batchSize: string) {
  // tsx as a loader, not its CLI: the CLI runs the script in a child process that a kill would leave running.
  return spawn(process.execPath, ['--import', 'tsx', 'scripts/import.ts', csv, '--batch-size', batchSize], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
