import Database from 'better-sqlite3';
import { sqliteFilePath } from '../src/db/dialect';
import { formatTable, relationsArgument } from './cli';
import { benchDatabase, benchProjection } from './databases';
import { collectGarbage, median, spread, timeOnce, timeOnceAsync } from './measure';

/**
 * Building the graph projection (the typed-array RelationStore) from SQLite, against its floor:
 * reading the same rows with a raw better-sqlite3 cursor and doing nothing with them. Also the
 * heap the projection holds per relation, and the first snapshot taken from it.
 *
 *   npx tsx bench/projection-build.ts [--relations N]   (default: 100k and 1M)
 *
 * Targets (issue 11): build <= 1.5x the raw cursor, heap held <= 64 bytes per relation.
 */

const RUNS = 3;
const TARGET_RATIO = 1.5;
const TARGET_BYTES_PER_RELATION = 64;

async function main(argv = process.argv.slice(2)): Promise<void> {
  const sizes = argv.includes('--relations') ? [relationsArgument(argv, 0)] : [100_000, 1_000_000];
  const rows = [['relations', 'raw cursor ms', 'projection ms', 'x raw cursor', 'first snapshot ms', 'heap held MB', 'bytes / relation', 'heap committed MB (first run)']];
  for (const relations of sizes) {
    const url = benchDatabase(relations);
    const floor: number[] = [];
    const build: number[] = [];
    const held: number[] = [];
    const total: number[] = [];
    const snapshots: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      floor.push(timeOnce(() => readRaw(url)).ms);
      const before = heldBytes();
      const projection = benchProjection(url);
      build.push((await timeOnceAsync(() => projection.load())).ms);
      // Committed heap only means something on the first build: V8 keeps what earlier runs grew to.
      if (run === 0) total.push(process.memoryUsage().heapTotal);
      held.push(heldBytes() - before);
      snapshots.push(timeOnce(() => projection.snapshot()).ms);
    }
    rows.push([
      String(relations),
      spread(floor),
      spread(build),
      (median(build) / median(floor)).toFixed(2),
      spread(snapshots),
      spread(held.map((bytes) => bytes / 2 ** 20)),
      (median(held) / relations).toFixed(0),
      spread(total.map((bytes) => bytes / 2 ** 20)),
    ]);
    const ratio = median(build) / median(floor);
    const bytes = median(held) / relations;
    console.log(
      `${relations} relations: build ${ratio.toFixed(2)}x the raw cursor (target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'missed'}), ` +
        `${bytes.toFixed(0)} bytes held per relation (target <= ${TARGET_BYTES_PER_RELATION}: ${bytes <= TARGET_BYTES_PER_RELATION ? 'met' : 'missed'})`,
    );
  }
  console.log(`Projection build from SQLite, ${RUNS} runs each: median (min–max)\n`);
  console.log(formatTable(rows));
}

/** The heap and the memory of array buffers (where the store's typed arrays live), after a full collection. */
function heldBytes(): number {
  return collectGarbage() + process.memoryUsage().arrayBuffers;
}

/** The floor: every row the projection reads, through the same driver, and nothing done with it. */
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
