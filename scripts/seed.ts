import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { saveGraphFile } from '../src/analytics/serving';
import { DatabaseNotEmptyError, seedPlatform } from '../src/bulk/seed';
import { UsageError, runScript } from './run-script';

/**
 * `npm run db:seed -- --relations N [--seed S]`: fills the empty database named by DATABASE_URL
 * with a synthetic platform of N relations (src/bulk/synthetic-platform.ts), with a progress bar
 * on stderr. The same seed always gives the same platform. It then saves the relation graph to
 * the graph file (GRAPH_FILE), so that the server's first start on it is as quick as a restart.
 */

const USAGE = 'usage: npm run db:seed -- --relations N [--seed S]';

async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { relations: { type: 'string' }, seed: { type: 'string' } } });
  const relations = Number(values.relations);
  if (!Number.isInteger(relations) || relations <= 0) throw new UsageError(USAGE);
  const bar = new SingleBar({ format: '{bar} {percentage}% | {value}/{total} relations | ETA {eta_formatted}' }, Presets.shades_classic);
  bar.start(relations, 0);
  await seedPlatform({ relations, seed: values.seed }, (progress) => bar.update(progress.relations)).finally(() => bar.stop());
  console.error(`Seeded ${relations} relations${values.seed ? ` with seed ${values.seed}` : ''}`);
  const graphFile = await saveGraphFile();
  if (graphFile) console.error(`Saved the relation graph to ${graphFile}: the first start reads it instead of every relation`);
}

runScript('db:seed', () => main(), [DatabaseNotEmptyError]);
