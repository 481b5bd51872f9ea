import type { CentralityOptions } from '../src/analytics/graph/centrality';
import { ALL_KINDS_MASK } from '../src/analytics/graph/snapshot';
import { runTask } from '../src/analytics/serving/tasks';
import { formatTable, relationsArgument } from './cli';
import { generateRelationStore } from '../src/bulk/synthetic-platform';

/**
 * How much accuracy sampled betweenness trades for speed: exact betweenness against estimates
 * from k sampled sources, both through runTask, the code path the API's worker runs.
 *
 *   npx tsx bench/betweenness-sampling.ts [--relations 30000]
 *
 * The default of 30,000 relations gives about 5,000 nodes (4,800 consumers, 200 providers).
 */

const SAMPLE_SIZES = [64, 128, 256, 512];
const SEED = 'rapport';
const TOP_FOR_RELATIVE_ERROR = 100;
const TOP_FOR_OVERLAP = 20;
// Sampled runs are short enough for JIT and GC noise to matter; take the median of a few.
const SAMPLED_REPEATS = 3;

export function main(argv = process.argv.slice(2)): void {
  const relations = relationsArgument(argv, 30_000);
  const graph = generateRelationStore({
    relations,
    consumers: Math.round(relations * 0.16),
    providers: Math.max(1, Math.round(relations / 150)),
    seed: SEED,
  });
  console.log(`Betweenness sampling: ${graph.order} nodes, ${graph.size} edges (${relations} relations)\n`);

  const options = (exactMaxNodes: number, samples: number): CentralityOptions => ({
    metric: 'BETWEENNESS',
    weight: 'NONE',
    betweennessExactMaxNodes: exactMaxNodes,
    closenessExactMaxNodes: exactMaxNodes,
    samples: samples,
    seed: SEED,
  });
  const snapshot = graph.snapshot('sampling', 0);
  const betweenness = (exactMaxNodes: number, samples: number) =>
    runTask(snapshot, { type: 'centrality', options: options(exactMaxNodes, samples), kinds: ALL_KINDS_MASK });
  const exact = timed(1, () => betweenness(Number.MAX_SAFE_INTEGER, 0));
  if (exact.result.approximate) throw new Error('expected the exact betweenness');

  const rows = [HEADER, ['exact', exact.ms.toFixed(0), '1.000', '0', '0', '1', '1', `${TOP_FOR_OVERLAP}/${TOP_FOR_OVERLAP}`]];
  for (const samples of SAMPLE_SIZES) {
    const sampled = timed(SAMPLED_REPEATS, () => betweenness(0, samples));
    if (!sampled.result.approximate) throw new Error('expected a sampled betweenness');
    rows.push(row(samples, sampled.ms, exact.ms, compare(exact.result.scores, sampled.result.scores)));
  }
  console.log(formatTable(rows));
}

const HEADER = [
  'k',
  'time ms',
  'time/exact',
  'MAE/mean',
  `max rel err top-${TOP_FOR_RELATIVE_ERROR}`,
  'Spearman',
  'Spearman (exact > 0)',
  `top-${TOP_FOR_OVERLAP} overlap`,
];

function row(samples: number, ms: number, exactMs: number, accuracy: Accuracy): string[] {
  return [
    String(samples),
    ms.toFixed(0),
    (ms / exactMs).toFixed(3),
    accuracy.meanAbsoluteError.toFixed(4),
    accuracy.maxTopRelativeError.toFixed(4),
    accuracy.spearman.toFixed(4),
    accuracy.spearmanOnBridges.toFixed(4),
    `${accuracy.topOverlap}/${TOP_FOR_OVERLAP}`,
  ];
}

interface Accuracy {
  /** Mean absolute error over all nodes, divided by the mean exact score. */
  meanAbsoluteError: number;
  maxTopRelativeError: number;
  spearman: number;
  /** Spearman's coefficient over the nodes that lie on some shortest path, without the tied zeros. */
  spearmanOnBridges: number;
  topOverlap: number;
}

function compare(exact: Float64Array, estimate: Float64Array): Accuracy {
  let absoluteError = 0;
  let exactTotal = 0;
  exact.forEach((score, index) => {
    absoluteError += Math.abs(estimate[index] - score);
    exactTotal += score;
  });
  const topExact = topIndices(exact, TOP_FOR_RELATIVE_ERROR);
  const maxTopRelativeError = Math.max(...topExact.map((index) => Math.abs(estimate[index] - exact[index]) / exact[index]));
  const topEstimate = new Set(topIndices(estimate, TOP_FOR_OVERLAP));
  const bridges = Array.from(exact.keys()).filter((index) => exact[index] > 0);
  const onBridges = (scores: Float64Array) => Float64Array.from(bridges, (index) => scores[index]);
  return {
    meanAbsoluteError: absoluteError / exactTotal,
    maxTopRelativeError,
    spearman: pearson(ranks(exact), ranks(estimate)),
    spearmanOnBridges: pearson(ranks(onBridges(exact)), ranks(onBridges(estimate))),
    topOverlap: topExact.slice(0, TOP_FOR_OVERLAP).filter((index) => topEstimate.has(index)).length,
  };
}

function topIndices(scores: Float64Array, count: number): number[] {
  return Array.from(scores.keys())
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, count);
}

/** Ranks with ties given their average rank, as Spearman's coefficient needs (most leaves score 0). */
function ranks(scores: Float64Array): Float64Array {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  const result = new Float64Array(scores.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    for (let position = start; position <= end; position++) result[order[position]] = (start + end) / 2;
    start = end + 1;
  }
  return result;
}

function pearson(xs: Float64Array, ys: Float64Array): number {
  const mean = (values: Float64Array) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const meanX = mean(xs);
  const meanY = mean(ys);
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  xs.forEach((x, index) => {
    covariance += (x - meanX) * (ys[index] - meanY);
    varianceX += (x - meanX) ** 2;
    varianceY += (ys[index] - meanY) ** 2;
  });
  return covariance / Math.sqrt(varianceX * varianceY);
}

/** The result of `run` and its median duration over `repeats` runs. */
function timed<T>(repeats: number, run: () => T): { result: T; ms: number } {
  const durations: number[] = [];
  let result!: T;
  for (let repeat = 0; repeat < repeats; repeat++) {
    const started = performance.now();
    result = run();
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  return { result, ms: durations[durations.length >> 1] };
}

if (require.main === module) main();
