import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Timing and heap helpers the database benchmarks share. */

export function timeOnce<T>(work: () => T): { result: T; ms: number } {
  const start = process.hrtime.bigint();
  const result = work();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

export async function timeOnceAsync<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

let gc: (() => void) | undefined;

/** Runs a full garbage collection and returns the heap then in use, in bytes. */
export function collectGarbage(): number {
  if (!gc) {
    // Without --expose-gc on the command line: enable it, and fetch gc() from a fresh context.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** "median (min–max)" of the values, to the given decimals. */
export function spread(values: number[], decimals = 0): string {
  const middle = median(values).toFixed(decimals);
  return values.length === 1
    ? middle
    : `${middle} (${Math.min(...values).toFixed(decimals)}–${Math.max(...values).toFixed(decimals)})`;
}
