import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs every benchmark, one child process each so that none inherits another's heap or JIT
 * state: `npm run bench`, or `npm run bench -- --quick` for a run at 100k relations (and short
 * load tests) that takes a few minutes. The first run seeds the benchmark databases under
 * .tmp/bench (about 5 minutes for a million relations).
 */

const QUICK = ['--relations', '100000'];
const BENCHMARKS: [string, string[], string[]][] = [
  // [script, arguments, arguments with --quick]
  ['projection-build.ts', [], QUICK],
  ['analytics-at-scale.ts', [], QUICK],
  ['graphql-throughput.ts', [], ['--duration', '3']],
  ['betweenness-sampling.ts', [], []],
  ['serving-under-load.ts', [], QUICK],
  ['recommendations.ts', [], QUICK],
  ['attacks.ts', [], ['--relations', '2000']],
];
const TSX = join(__dirname, '..', 'node_modules', '.bin', 'tsx');

function main(argv = process.argv.slice(2)): void {
  const quick = argv.includes('--quick');
  for (const [benchmark, full, short] of BENCHMARKS) {
    const args = quick ? short : full;
    console.log(`\n=== ${benchmark} ${args.join(' ')} ===`);
    const { status, error } = spawnSync(TSX, [join(__dirname, benchmark), ...args], { stdio: 'inherit' });
    if (error) throw error;
    if (status !== 0) {
      console.error(`${benchmark} failed with exit code ${status}`);
      process.exit(status ?? 1);
    }
  }
}

main();
