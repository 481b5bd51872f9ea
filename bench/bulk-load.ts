import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticPlatform } from '../src/bulk/synthetic-platform';
import type { NewRelation } from '../src/db/bulk-writer';
import { type ScratchDatabase, scratchDatabase } from '../src/db/scratch-database';
import { formatTable, relationsArgument } from './cli';
import { timeOnce } from './measure';
import { rawRelationInsert } from './raw-relation-insert';

/**
 * Bulk loads against the driver's floor, on one database kind:
 * - `npm run import` of a CSV of N relations (all rules checked, parties created, resumable)
 *   into an empty database, against a raw insert of the same relations through the same driver
 *   (better-sqlite3: one prepared statement in one transaction; pg: COPY) into an empty database
 *   holding their parties already;
 * - `npm run db:seed -- --relations N` into an empty database.
 * Each runs as its own process, as an operator runs it; times include the process start.
 *
 *   npx tsx bench/bulk-load.ts [--relations 1000000] [--postgres]
 */

const root = join(__dirname, '..');
const TSX = join(root, 'node_modules', '.bin', 'tsx');
const SEED = 'bulk';

async function main(argv = process.argv.slice(2)): Promise<void> {
  const relations = relationsArgument(argv, 1_000_000);
  const dialect = argv.includes('--postgres') ? 'postgres' : 'sqlite';
  const folder = mkdtempSync(join(tmpdir(), 'rapport-bulk-'));
  const csv = join(folder, 'relations.csv');
  const rows: string[][] = [['load', 'seconds', 'relations/s']];
  const line = (label: string, ms: number) => rows.push([label, (ms / 1000).toFixed(1), Math.round(relations / (ms / 1000)).toLocaleString('en')]);
  try {
    await writeCsv(csv, relations);
    const imported = await withDatabase(dialect, (url) => timeOnce(() => tool(url, 'scripts/import.ts', csv)).ms);
    console.error(`import: ${(imported / 1000).toFixed(1)} s`);
    const raw = await withDatabase(dialect, (url) => rawRelationInsert(url, csvRelations(relations)));
    console.error(`raw insert: ${(raw / 1000).toFixed(1)} s`);
    const seeded = await withDatabase(dialect, (url) => timeOnce(() => tool(url, 'scripts/seed.ts', '--relations', String(relations), '--seed', SEED)).ms);
    line('npm run import', imported);
    line(`raw insert (${dialect === 'postgres' ? 'COPY' : 'prepared, one transaction'})`, raw);
    line('npm run db:seed', seeded);
    console.log(`Bulk loads of ${relations.toLocaleString('en')} relations into empty ${dialect} databases\n`);
    console.log(formatTable(rows));
    console.log(`\nimport / raw insert: throughput x${(raw / imported).toFixed(2)}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Runs a command-line tool of the project on the database, as an operator would. */
function tool(databaseUrl: string, script: string, ...args: string[]): void {
  execFileSync(TSX, [script, ...args], { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function withDatabase<T>(dialect: 'sqlite' | 'postgres', work: (url: string) => T | Promise<T>): Promise<T> {
  const scratch: ScratchDatabase = await scratchDatabase(dialect, 'bulk');
  try {
    tool(scratch.url, 'scripts/migrate.ts'); // an empty database with the schema, as an operator starts from
    return await work(scratch.url);
  } finally {
    await scratch.remove();
  }
}

const consumerKey = (n: number) => `consumer-${n}`;
const providerKey = (n: number) => `provider-${n}`;

/** The synthetic platform's relations as an import file, amounts in major units. */
async function writeCsv(path: string, relations: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('consumer,provider,kind,occurredAt,amount,currency,rating\n');
  for (const r of syntheticPlatform({ relations, seed: SEED }).relations()) {
    const amount = r.amountMinor === null ? '' : (r.amountMinor / 100).toFixed(2);
    const fields = [consumerKey(r.consumerId), providerKey(r.providerId), r.kind, new Date(r.occurredAt).toISOString(), amount, r.currency ?? '', r.rating ?? ''];
    if (!out.write(`${fields.join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** The same relations as the CSV holds, numbered by party as the raw insert's parties are. */
function csvRelations(relations: number): NewRelation[] {
  return [...syntheticPlatform({ relations, seed: SEED }).relations()].map((r) => ({ ...r, occurredAt: new Date(r.occurredAt) }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
