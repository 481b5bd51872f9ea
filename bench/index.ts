import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs every benchmark, one child process each so that none inherits another's heap or JIT
 * state. Every benchmark takes `--relations N` and, where it has timed load rounds,
 * `--duration SECONDS`; without them each uses its own full-size defaults.
 *
 *   npm run bench                  full size (a million relations; the first run seeds the
 *                                  benchmark databases under .tmp/bench, several minutes)
 *   npm run bench -- --quick       100k relations and short rounds: a few minutes
 *   npm run bench -- --smoke       5,000 relations and 1 s rounds: what CI runs, so none can rot
 */

const MODES: Record<string, string[]> = {
  '--quick': ['--relations', '100000', '--duration', '3'],
  '--smoke': ['--relations', '5000', '--duration', '1'],
};
const BENCHMARKS = [
  'projection-build.ts',
  'analytics-at-scale.ts',
  'live-writes.ts',
  'change-log.ts',
  'graphql-throughput.ts',
  'betweenness-sampling.ts',
  'serving-under-load.ts',
  'recommendations.ts',
  'louvain.ts',
  'kernels.ts',
  'bulk-load.ts',
  'bulk-load.ts --postgres',
  'attacks.ts',
  'explorer.ts',
];
const TSX = join(__dirname, '..', 'node_modules', '.bin', 'tsx');

function main(argv = process.argv.slice(2)): void {
  const mode = Object.keys(MODES).find((flag) => argv.includes(flag));
  const args = mode ? MODES[mode] : [];
  const only = argv.filter((arg) => arg.endsWith('.ts'));
  for (const benchmark of only.length ? only : BENCHMARKS) {
    const [script, ...own] = benchmark.split(' ');
    console.log(`\n=== ${benchmark} ${args.join(' ')} ===`);
    const { status, error } = spawnSync(TSX, [join(__dirname, script), ...own, ...args], { stdio: 'inherit' });
    if (error) throw error;
    if (status !== 0) {
      console.error(`${benchmark} failed with exit code ${status}`);
      process.exit(status ?? 1);
    }
  }
}

main();
