import { scratchDatabase } from '../src/db/scratch-database';
import { formatTable, relationsArgument } from './cli';
import { timeOnceAsync } from './measure';

/**
 * What following the change log costs a server process:
 * - per analytics request when nothing changed (one indexed read of the log), against the floor
 *   of any database round trip, `SELECT 1`;
 * - catching up with writes another process made, per change, against reading a fresh snapshot
 *   of the same graph (what a process far behind does instead).
 *
 *   npx tsx bench/change-log.ts [--relations 100000] [--postgres]
 *
 * --postgres runs on a scratch database on the server POSTGRES_SERVER_URL names; SQLite otherwise.
 */

const CHANGES = 1_000;
const ROUND_TRIPS = 2_000;

async function main(argv = process.argv.slice(2)): Promise<void> {
  const relations = relationsArgument(argv, 100_000);
  const postgres = argv.includes('--postgres');
  const scratch = await scratchDatabase(postgres ? 'postgres' : 'sqlite', 'bench');
  process.env.DATABASE_URL = scratch.url;
  // Imported after DATABASE_URL is set: the configuration is read on first use.
  const { applyMigrations } = await import('../src/db/migrate');
  const { db, disconnectDb } = await import('../src/db/client');
  const { driver } = await import('../src/db/driver');
  const { GraphProjection } = await import('../src/analytics/serving/projection');
  const { recordRelation } = await import('../src/domain/relations');
  try {
    await applyMigrations(scratch.url);
    const { consumers, providers } = await fill(db(), relations);
    const projection = new GraphProjection(scratch.url, db(), driver());
    await projection.refresh();

    const floor = await perCall(ROUND_TRIPS, () => db().$queryRaw`SELECT 1`);
    const idle = await perCall(ROUND_TRIPS, () => projection.refresh());

    for (let index = 0; index < CHANGES; index++) {
      await recordRelation({
        consumerId: consumers[index % consumers.length],
        providerId: providers[(index * 7) % providers.length],
        kind: 'FAVORITE',
      });
    }
    const catchUpMs = (await timeOnceAsync(() => projection.refresh())).ms;
    const snapshotMs = (await timeOnceAsync(() => new GraphProjection(scratch.url, db(), driver()).refresh())).ms;

    console.log(`Change log on ${postgres ? 'PostgreSQL' : 'SQLite'}, ${relations} relations, ${CHANGES} changes to catch up with`);
    console.log(
      formatTable([
        ['measure', 'value', 'baseline', 'ratio'],
        ['refresh, nothing new (µs)', micro(idle), `SELECT 1: ${micro(floor)}`, ratio(idle, floor)],
        [`catch up ${CHANGES} changes (ms)`, catchUpMs.toFixed(1), `snapshot: ${snapshotMs.toFixed(1)}`, ratio(catchUpMs, snapshotMs)],
        ['per change (µs)', micro(catchUpMs / CHANGES), '', ''],
      ]),
    );
  } finally {
    await disconnectDb();
    await scratch.remove();
  }
}

/** Consumers, providers and relations written in bulk, around the change log (like an import). */
async function fill(database: import('../src/db/client').Db, relations: number) {
  const parties = Math.max(10, Math.round(Math.sqrt(relations) * 3));
  const now = new Date();
  for (let from = 0; from < parties; from += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, parties - from) }, (_, index) => from + index);
    await database.consumer.createMany({ data: batch.map((index) => ({ name: `c${index}`, email: `c${index}@example.com` })) });
    await database.provider.createMany({ data: batch.map((index) => ({ name: `p${index}`, contactEmail: 'p@example.com', category: 'x' })) });
  }
  const consumers = (await database.consumer.findMany({ select: { id: true } })).map(({ id }) => id);
  const providers = (await database.provider.findMany({ select: { id: true } })).map(({ id }) => id);
  for (let from = 0; from < relations; from += 5_000) {
    const data = Array.from({ length: Math.min(5_000, relations - from) }, (_, offset) => {
      const index = from + offset;
      return {
        consumerId: consumers[index % consumers.length],
        providerId: providers[(index * 31 + Math.floor(index / consumers.length)) % providers.length],
        kind: 'PURCHASE' as const,
        occurredAt: now,
        amountMinor: 100,
        currency: 'EUR',
      };
    });
    await database.relation.createMany({ data });
  }
  return { consumers, providers };
}

async function perCall(calls: number, work: () => Promise<unknown>): Promise<number> {
  for (let index = 0; index < calls / 10; index++) await work(); // warm-up
  return (await timeOnceAsync(async () => {
    for (let index = 0; index < calls; index++) await work();
  })).ms / calls;
}

const micro = (ms: number) => (ms * 1000).toFixed(0);
const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}×`;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
