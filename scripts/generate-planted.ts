import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PLANTED_OPTIONS, type PlantedRow, generatePlanted, splitByLatest } from '../src/analytics/offline/planted-data';

/**
 * Writes the planted-preference data set (src/analytics/planted-data.ts) as the train and test
 * files that `npm run eval:recommendations` reads:
 *
 *   npm run eval:generate -- --out DIR [--seed S] [--consumers N]
 */

const USAGE = 'usage: npm run eval:generate -- --out DIR [--seed S] [--consumers N]';

function main(argv = process.argv.slice(2)): number {
  const values = parseOptions(argv);
  const consumers = values?.consumers === undefined ? DEFAULT_PLANTED_OPTIONS.consumers : Number(values.consumers);
  if (!values?.out || !Number.isInteger(consumers) || consumers <= 0) {
    console.error(USAGE);
    return 2;
  }
  const { train, test } = splitByLatest(generatePlanted({ consumers, seed: values.seed ?? DEFAULT_PLANTED_OPTIONS.seed }));
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'train.csv'), toCsv(train));
  writeFileSync(join(values.out, 'test.csv'), toCsv(test));
  console.log(`Wrote ${train.length} train and ${test.length} test relations to ${values.out}`);
  return 0;
}

/** The options, or undefined when they do not parse. */
function parseOptions(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { out: { type: 'string' }, seed: { type: 'string' }, consumers: { type: 'string' } } }).values;
  } catch {
    return undefined;
  }
}

function toCsv(rows: readonly PlantedRow[]): string {
  const lines = rows.map((row) => [row.consumer, row.provider, row.rating ?? '', new Date(row.timestamp).toISOString()].map(csvField).join(','));
  return ['consumer,provider,rating,timestamp', ...lines, ''].join('\n');
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

if (require.main === module) process.exitCode = main();
