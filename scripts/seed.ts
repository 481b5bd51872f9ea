import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { DatabaseNotEmptyError, seedPlatform } from '../src/bulk/seed';
import { UsageError, runScript } from './run-script';

/**
 * `npm run db:seed -- --relations N [--seed S]`: fills the empty database named by DATABASE_URL
 * with a synthetic platform of N relations (src/bulk/synthetic-platform.ts), with a progress bar
 * on stderr. The same seed always gives the same platform.
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
}

runScript('db:seed', () => main(), [DatabaseNotEmptyError]);
