import seedrandom from 'seedrandom';

/**
 * `count` distinct node indices below `size`, by a partial Fisher–Yates shuffle driven by
 * seedrandom(seed): the same seed always draws the same sources.
 */
export function sampleSources(size: number, count: number, seed: string): Int32Array {
  const random = seedrandom(seed);
  const indices = Int32Array.from({ length: size }, (_, index) => index);
  for (let index = 0; index < count; index++) {
    const other = index + Math.floor(random() * (size - index));
    [indices[index], indices[other]] = [indices[other], indices[index]];
  }
  return indices.subarray(0, count);
}

export interface PathMetricOptions {
  /** Past this many nodes, the metric is estimated from `samples` sources. */
  exactMaxNodes: number;
  samples: number;
  seed: string;
}
