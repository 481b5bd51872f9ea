import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs every benchmark, one child process each so that none inherits another's heap or JIT
 * state: `npm run bench`.
 */

const BENCHMARKS = ['betweenness-sampling.ts', 'serving-under-load.ts', 'recommendations.ts'];
const TSX = join(__dirname, '..', 'node_modules', '.bin', 'tsx');

function main(): void {
  for (const benchmark of BENCHMARKS) {
    console.log(`\n=== ${benchmark} ===`);
    const { status, error } = spawnSync(TSX, [join(__dirname, benchmark)], { stdio: 'inherit' });
    if (error) throw error;
    if (status !== 0) {
      console.error(`${benchmark} failed with exit code ${status}`);
      process.exit(status ?? 1);
    }
  }
}

main();
