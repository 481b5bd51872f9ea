import Database from 'better-sqlite3';
import { copyFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { sqliteFilePath } from '../src/db/dialect';
import { freePort, startServer } from '../test/support/server-process';
import { formatTable, relationsArgument } from './cli';
import { benchDatabase, benchProjection } from './databases';
import { collectGarbage, median, spread, timeOnce, timeOnceAsync } from './measure';

/**
 * Building the graph projection (the typed-array RelationStore) from SQLite, against issue 11's
 * yardstick: reading the same rows with a raw better-sqlite3 cursor and doing nothing with them. Also the
 * memory the projection holds per relation, the first snapshot taken from it, and how long a
 * real server (`npm start`'s entry point) takes from its start until /ready answers 200: on its
 * first start, which reads every relation, and on a restart, which reads the graph file the first
 * saved at shutdown and the change log since.
 *
 *   npx tsx bench/projection-build.ts [--relations N]   (default: 100k and 1M)
 *
 * Memory held is the byte length of the store's typed arrays (RelationStore.memoryBytes), checked
 * against what the process holds: heap plus array buffers, after a full collection, before and
 * after the first build (later builds' deltas are blurred by the previous store, whose shared
 * buffers are released by V8 after the collection returns).
 *
 * The build reads SQLite on a second thread (src/db/sqlite-snapshot-thread.ts) while the main
 * thread aggregates the rows read so far; the cursor reads on the main thread alone. So the ratio
 * needs two free cores to mean what it says: on a busy machine the two threads share one. The
 * build can beat the cursor: it has SQLite write each batch's columns out as JSON arrays, where a
 * cursor gets an array per row (better-sqlite3's cost per row is twice SQLite's).
 *
 * Targets (issue 11): build <= 1.5x the raw cursor, <= 64 bytes held per relation, /ready <= 3 s.
 */

const RUNS = 3;
const TARGET_RATIO = 1.5;
const TARGET_BYTES_PER_RELATION = 64;
const TARGET_READY_MS = 3000;

async function main(argv = process.argv.slice(2)): Promise<void> {
  const sizes = argv.includes('--relations') ? [relationsArgument(argv, 0)] : [100_000, 1_000_000];
  const rows = [
    ['relations', 'raw cursor ms', 'projection ms', 'x raw cursor', 'first snapshot ms', 'store MB', 'store B / relation', 'process B / relation (first build)', '/ready ms (first start)', '/ready ms (restart)'],
  ];
  for (const relations of sizes) {
    const url = benchDatabase(relations);
    const cursor: number[] = [];
    const build: number[] = [];
    const snapshots: number[] = [];
    let storeBytes = 0;
    let processBytes = 0;
    for (let run = 0; run < RUNS; run++) {
      cursor.push(timeOnce(() => readRaw(url)).ms);
      const before = run === 0 ? await heldBytes() : 0;
      const projection = benchProjection(url);
      build.push((await timeOnceAsync(() => projection.load())).ms);
      snapshots.push(timeOnce(() => projection.snapshot()).ms);
      storeBytes = projection.view().store.memoryBytes();
      if (run === 0) processBytes = (await heldBytes()) - before;
    }
    const { ready, restart } = await readyAfterStarts(url);
    const ratio = median(build) / median(cursor);
    const bytes = storeBytes / relations;
    rows.push([
      String(relations),
      spread(cursor),
      spread(build),
      ratio.toFixed(2),
      spread(snapshots),
      (storeBytes / 2 ** 20).toFixed(1),
      bytes.toFixed(1),
      (processBytes / relations).toFixed(1),
      ready.toFixed(0),
      restart.toFixed(0),
    ]);
    console.log(
      `${relations} relations: build ${ratio.toFixed(2)}x the raw cursor (target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'missed'}), ` +
        `${bytes.toFixed(1)} bytes held per relation (target <= ${TARGET_BYTES_PER_RELATION}: ${bytes <= TARGET_BYTES_PER_RELATION ? 'met' : 'missed'}), ` +
        `/ready ${ready.toFixed(0)} ms after a first start, ${restart.toFixed(0)} ms after a restart ` +
        `(target <= ${TARGET_READY_MS}: ${ready <= TARGET_READY_MS ? 'met' : 'missed'} on a first start, ${restart <= TARGET_READY_MS ? 'met' : 'missed'} on a restart)`,
    );
  }
  console.log(
    `Projection build from SQLite, ${RUNS} runs each: median (min–max); the build reads on a second thread while the main thread aggregates ` +
      `(the raw cursor: main thread alone); the snapshot is taken and held, so the store figures include it\n`,
  );
  console.log(formatTable(rows));
}

/** The heap and the memory of array buffers, after full collections and a pause for V8 to release dead buffers. */
async function heldBytes(): Promise<number> {
  collectGarbage();
  await sleep(200);
  return collectGarbage() + process.memoryUsage().arrayBuffers;
}

/**
 * Milliseconds from spawning a server on a copy of the database to its first 200 from /ready,
 * polled every 20 ms: on its first start (which writes an admin key), and after a SIGTERM (which
 * saves the graph file) on a restart.
 */
async function readyAfterStarts(url: string): Promise<{ ready: number; restart: number }> {
  const seeded = sqliteFilePath(url);
  const copy = seeded.replace(/\.db$/, `-ready-${process.pid}.db`);
  copyFileSync(seeded, copy);
  try {
    const ready = await readyAfterStart(copy, 'database');
    const restart = await readyAfterStart(copy, 'file');
    return { ready, restart };
  } finally {
    for (const suffix of ['', '-wal', '-shm', '.graph']) rmSync(`${copy}${suffix}`, { force: true });
  }
}

async function readyAfterStart(file: string, from: 'database' | 'file'): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const server = startServer({ DATABASE_URL: `file:${file}`, PORT: String(port), DEMO_DATA: 'false', GRAPHIQL: 'false' });
  try {
    for (;;) {
      if (server.child.exitCode !== null) throw new Error(`The server exited before it was ready:\n${server.output()}`);
      const status = await fetch(`http://127.0.0.1:${port}/ready`).then((response) => response.status, () => 0);
      if (status === 200) break;
      await sleep(20);
    }
    const ready = performance.now() - started;
    if (!server.output().includes(`"from":"${from}"`)) throw new Error(`The server did not read the graph from the ${from}:\n${server.output()}`);
    return ready;
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

/** The yardstick: every row the projection reads, through the same driver row by row, and nothing done with it. */
function readRaw(url: string): number {
  const database = new Database(sqliteFilePath(url), { readonly: true });
  let checksum = 0;
  try {
    for (const [id] of database.prepare('SELECT id FROM "Consumer"').raw().iterate() as Iterable<[number]>) checksum += id;
    for (const [id] of database.prepare('SELECT id FROM "Provider"').raw().iterate() as Iterable<[number]>) checksum += id;
    const relations = database
      .prepare('SELECT "consumerId", "providerId", "kind", "occurredAt", "amountMinor", "currency", "rating" FROM "Relation"')
      .raw();
    for (const row of relations.iterate() as Iterable<unknown[]>) checksum += row.length;
  } finally {
    database.close();
  }
  return checksum;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
