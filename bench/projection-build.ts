import Database from 'better-sqlite3';
import { UndirectedGraph } from 'graphology';
import { GraphProjection } from '../src/analytics/serving/projection';
import { sqliteFilePath } from '../src/db/dialect';
import { formatTable, relationsArgument } from './cli';
import { benchDatabase, benchProjection } from './databases';
import { collectGarbage, median, spread, timeOnce, timeOnceAsync } from './measure';

/**
 * Building the graph projection from SQLite, against its floor: reading the same rows with a raw
 * better-sqlite3 cursor and doing nothing with them. Also the heap the projection holds, and how
 * long graphology alone takes to insert the projection's nodes and pairs (no attributes): the
 * part of the build that remains as long as the projection is a graphology graph.
 *
 *   npx tsx bench/projection-build.ts [--relations N]   (default: 100k and 1M)
 *
 * Targets (issue 6): 1M relations in under 3 s and under 400 MB of heap.
 */

const RUNS = 3;
const TARGET_MS = 3000;
const TARGET_HEAP_MB = 400;

async function main(argv = process.argv.slice(2)): Promise<void> {
  const sizes = argv.includes('--relations') ? [relationsArgument(argv, 0)] : [100_000, 1_000_000];
  const rows = [['relations', 'raw cursor ms', 'projection ms', 'x raw cursor', 'graphology insert alone ms', 'heap held MB', 'bytes / relation', 'heap committed MB (first run)']];
  for (const relations of sizes) {
    const url = benchDatabase(relations);
    const floor: number[] = [];
    const build: number[] = [];
    const held: number[] = [];
    const total: number[] = [];
    const insert: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      floor.push(timeOnce(() => readRaw(url)).ms);
      const before = collectGarbage();
      const projection = benchProjection(url);
      build.push((await timeOnceAsync(() => projection.load())).ms);
      // Committed heap only means something on the first build: V8 keeps what earlier runs grew to.
      if (run === 0) total.push(process.memoryUsage().heapTotal);
      held.push(collectGarbage() - before);
      const { graph } = projection.view();
      const nodes = graph.nodes();
      const pairs = graph.mapEdges((_edge, _attributes, source, target) => [source, target]);
      insert.push(timeOnce(() => insertPlain(nodes, pairs)).ms);
    }
    rows.push([
      String(relations),
      spread(floor),
      spread(build),
      (median(build) / median(floor)).toFixed(2),
      spread(insert),
      spread(held.map((bytes) => bytes / 2 ** 20)),
      (median(held) / relations).toFixed(0),
      spread(total.map((bytes) => bytes / 2 ** 20)),
    ]);
    if (relations === 1_000_000) {
      const ms = median(build);
      const mb = median(held) / 2 ** 20;
      console.log(`1M target: build ${ms.toFixed(0)} ms (target < ${TARGET_MS}: ${ms < TARGET_MS ? 'met' : `missed by ${(ms / TARGET_MS).toFixed(2)}x`}), ` +
        `heap held ${mb.toFixed(0)} MB (target < ${TARGET_HEAP_MB}: ${mb < TARGET_HEAP_MB ? 'met' : `missed by ${(mb / TARGET_HEAP_MB).toFixed(2)}x`})`);
    }
  }
  console.log(`Projection build from SQLite, ${RUNS} runs each: median (min–max)\n`);
  console.log(formatTable(rows));
}

function insertPlain(nodes: string[], pairs: string[][]): UndirectedGraph {
  const graph = new UndirectedGraph();
  for (const node of nodes) graph.addNode(node);
  for (const [source, target] of pairs) graph.addEdge(source, target);
  return graph;
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
