import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { checkpointInBackground } from '../src/db/wal-checkpoints';

const ROWS = 3000;
const run = promisify(execFile);

/**
 * Rows of `t` in the main database file alone, without its write-ahead log: what checkpoints have
 * copied. A copy taken while the worker writes pages into the file can be torn: that counts as
 * not copied yet (-1), and the caller looks again.
 */
function rowsInMainFile(file: string): number {
  const copy = `${file}.main-only`;
  copyFileSync(file, copy);
  const database = new Database(copy, { readonly: true });
  try {
    return (database.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't'").get() as { n: number }).n === 0
      ? 0
      : (database.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  } catch (error) {
    if (['SQLITE_CORRUPT', 'SQLITE_NOTADB'].includes((error as { code?: string }).code ?? '')) return -1;
    throw error;
  } finally {
    database.close();
  }
}

it('leaves checkpoints to a worker thread: commits never copy the log, the worker does within seconds', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'rapport-wal-'));
  const file = join(directory, 'rapport.db');
  const connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  const stop = checkpointInBackground(connection);
  try {
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    connection.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
    const insert = connection.prepare('INSERT INTO t (body) VALUES (?)');
    // About 1,500 pages, each row its own commit: past the 1,000 pages at which a connection checkpoints itself.
    for (let row = 0; row < ROWS; row++) insert.run('x'.repeat(2000));
    let copied = rowsInMainFile(file);
    for (let waited = 0; copied < ROWS && waited < 15_000; waited += 100) {
      await sleep(100);
      copied = rowsInMainFile(file);
    }
    expect(copied).toBe(ROWS);
  } finally {
    await stop();
    connection.close();
    rmSync(directory, { recursive: true, force: true });
  }
});

it('does nothing for a database in memory', async () => {
  const connection = new Database(':memory:');
  await checkpointInBackground(connection)();
  expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  connection.close();
});

it('keeps a process that has nothing else to do alive until the worker has stopped', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'rapport-wal-'));
  const script = `
    const Database = require('better-sqlite3');
    const { checkpointInBackground } = require(${JSON.stringify(join(__dirname, '../src/db/wal-checkpoints'))});
    const connection = new Database(${JSON.stringify(join(directory, 'rapport.db'))});
    connection.pragma('journal_mode = WAL');
    checkpointInBackground(connection)().then(() => console.log('stopped'));
  `;
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--eval', script]);
    expect(stdout.trim()).toBe('stopped');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
