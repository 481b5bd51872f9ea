import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GraphProjection } from '../src/analytics/serving/projection';
import { createDb } from '../src/db/client';
import { createDriverReader } from '../src/db/driver';
import { newKeyringEntry, parseKeyring } from '../src/db/pii';

/**
 * SQLite databases of the synthetic platform for the benchmarks, seeded once per size with
 * `npm run db:seed` and kept under .tmp/bench (seeding a million relations takes minutes).
 */

const root = join(__dirname, '..');
const directory = join(root, '.tmp', 'bench');
export const BENCH_SEED = 'rapport';

/** The URL of a database holding the `relations`-relation platform, seeding it first if needed. */
export function benchDatabase(relations: number): string {
  const file = join(directory, `platform-${relations}.db`);
  if (!existsSync(file)) {
    mkdirSync(directory, { recursive: true });
    const partial = `${file}.partial`;
    rmSync(partial, { force: true });
    rmSync(`${partial}.graph`, { force: true });
    const env = { ...process.env, DATABASE_URL: `file:${partial}` };
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    console.error(`Seeding ${relations} relations into ${file} (once)...`);
    execFileSync(tsx, ['scripts/migrate.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(tsx, ['scripts/seed.ts', '--relations', String(relations), '--seed', BENCH_SEED], { cwd: root, env, stdio: 'inherit' });
    renameSync(partial, file);
    // db:seed saved the graph beside the database it filled: it goes where a server on `file` looks for it.
    if (existsSync(`${partial}.graph`)) renameSync(`${partial}.graph`, `${file}.graph`);
  }
  return `file:${file}`;
}

/** A projection of a benchmark database, with a client of its own (analytics read no personal data: any key does). */
export function benchProjection(url: string): GraphProjection {
  return new GraphProjection(url, createDb(url, parseKeyring(newKeyringEntry())), createDriverReader(url));
}

/** A new admin key in a benchmark database (`npm run key`), for GraphQL requests to a server on it. */
export function benchAdminKey(databaseUrl: string): string {
  const output = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), ['scripts/key.ts', 'create', '--role', 'admin', '--label', 'bench'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  const secret = /rpk_\S+/.exec(output)?.[0];
  if (!secret) throw new Error(`npm run key printed no secret:\n${output}`);
  return secret;
}
