import { parseArgs } from 'node:util';
import { MultiBar, Presets } from 'cli-progress';
import { CheckpointMismatchError } from '../src/bulk/checkpoint';
import { DEFAULT_BATCH_SIZE, ImportFileError, importRelationsCsv } from '../src/bulk/csv-import';
import { UsageError, runScript } from './run-script';

/**
 * `npm run import -- relations.csv [--batch-size N]`: imports relations from a CSV file into the
 * database named by DATABASE_URL, with a progress bar on stderr. Bad rows are listed on stderr
 * and in relations.csv.rejects; run it again after an interruption and it continues.
 */

const USAGE = 'usage: npm run import -- FILE.csv [--batch-size N]';

async function main(argv = process.argv.slice(2)): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { 'batch-size': { type: 'string' } } });
  const batchSize = values['batch-size'] === undefined ? DEFAULT_BATCH_SIZE : Number(values['batch-size']);
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const bars = new MultiBar(
    { format: '{bar} {percentage}% | {imported} imported, {rejected} rejected | line {line} | ETA {eta_formatted}', hideCursor: true },
    Presets.shades_classic,
  );
  const bar = bars.create(1, 0, { imported: 0, rejected: 0, line: 1 });
  // Above the bar on a terminal; as plain lines when stderr is a file or a pipe, where the bar is not drawn.
  const report = (message: string) => (process.stderr.isTTY ? bars.log(message) : process.stderr.write(message));
  const summary = await importRelationsCsv(positionals[0], {
    batchSize,
    onReject: ({ line, problem }) => report(`line ${line}: ${problem}\n`),
    onProgress: ({ bytesRead, totalBytes, imported, rejected, line }) => {
      bar.setTotal(totalBytes);
      bar.update(bytesRead, { imported, rejected, line });
    },
  }).finally(() => bars.stop());
  const resumed = summary.resumedAfterLine > 1 ? ` (resumed after line ${summary.resumedAfterLine})` : '';
  console.error(
    `Imported ${summary.imported} relations, rejected ${summary.rejected} rows${resumed}` +
      (summary.rejected > 0 ? `; rejects listed in ${summary.rejectsPath}` : ''),
  );
}

runScript('import', () => main(), [ImportFileError, CheckpointMismatchError]);
