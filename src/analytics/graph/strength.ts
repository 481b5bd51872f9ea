import type { RelationKind } from '../../generated/prisma/enums';

/**
 * How strong a consumer–provider relationship is, from 0 to 1, and its RFM segment
 * (docs/recommendations.md gives the formula, the defaults and why).
 */

/** A pair's relations over some kinds, aggregated: what strength is computed from. */
export interface PairSummary {
  count: number;
  countByKind: Partial<Record<RelationKind, number>>;
  firstAt: number;
  lastAt: number;
  amounts: Record<string, number>;
  /** Mean rating of the pair's reviews, or null without reviews. */
  meanRating: number | null;
}

export interface StrengthSettings {
  /** Recency halves every this many days since the last interaction. */
  halfLifeDays: number;
  /** Frequency reaches 0.5 at this many relations: count / (count + frequencyHalfCount). */
  frequencyHalfCount: number;
  /** Relative weights of the components; a missing component's weight is left out. */
  weights: Record<keyof StrengthComponents, number>;
  segments: SegmentThresholds;
}

export interface SegmentThresholds {
  /** A relationship whose first interaction is this recent is NEW. */
  newWithinDays: number;
  /** Recency at or above this is "recent" (by default: last interaction within one half-life). */
  recent: number;
  /** Recency below this is LOST (by default: nothing for three half-lives). */
  lost: number;
  /** Frequency at or above this is "frequent" (by default: 3 relations or more). */
  frequent: number;
  /** Frequency and monetary value at or above these make a CHAMPION (5 relations, top quarter of spend). */
  championFrequency: number;
  championMonetary: number;
}

export const DEFAULT_STRENGTH_SETTINGS: StrengthSettings = {
  halfLifeDays: 90,
  frequencyHalfCount: 3,
  weights: { recency: 0.35, frequency: 0.25, monetary: 0.25, sentiment: 0.15 },
  segments: { newWithinDays: 30, recent: 0.5, lost: 0.125, frequent: 0.5, championFrequency: 0.625, championMonetary: 0.75 },
};

export interface StrengthComponents {
  /** 0.5^(days since the last interaction / half-life). */
  recency: number;
  /** count / (count + frequencyHalfCount). */
  frequency: number;
  /**
   * The pair's spend as a percentile rank among the provider's consumers in the same currency
   * (the best over the pair's currencies); null when the pair has no amounts.
   */
  monetary: number | null;
  /** (mean rating − 1) / 4; null without reviews. */
  sentiment: number | null;
}

export const SEGMENTS = ['CHAMPION', 'LOYAL', 'NEW', 'OCCASIONAL', 'AT_RISK', 'LOST'] as const;
export type Segment = (typeof SEGMENTS)[number];

export interface RelationshipStrength {
  score: number;
  components: StrengthComponents;
  segment: Segment;
  summary: PairSummary;
}

/** Every consumer's spend at one provider, per currency, sorted ascending. */
export type ProviderSpend = ReadonlyMap<string, Float64Array>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The spend of a provider's consumers, from the summaries of the provider's pairs. */
export function providerSpend(summaries: Iterable<PairSummary>): ProviderSpend {
  const byCurrency = new Map<string, number[]>();
  for (const { amounts: spent } of summaries) {
    for (const [currency, amount] of Object.entries(spent)) {
      let amounts = byCurrency.get(currency);
      if (!amounts) byCurrency.set(currency, (amounts = []));
      amounts.push(amount);
    }
  }
  return new Map([...byCurrency].map(([currency, amounts]) => [currency, Float64Array.from(amounts).sort()]));
}

/** Mid-rank percentile of `value` in ascending `sorted`: (below + equal / 2) / n. */
export function percentileRank(sorted: Float64Array, value: number): number {
  const below = countWhile(sorted, (item) => item < value);
  const atMost = countWhile(sorted, (item) => item <= value);
  return (below + (atMost - below) / 2) / sorted.length;
}

/** How many leading items of `sorted` satisfy `holds`, a predicate true up to some point and false after. */
function countWhile(sorted: Float64Array, holds: (item: number) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holds(sorted[middle])) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function relationshipStrength(
  summary: PairSummary,
  spend: ProviderSpend,
  now: number,
  settings: StrengthSettings = DEFAULT_STRENGTH_SETTINGS,
): RelationshipStrength {
  const components = strengthComponents(summary, spend, now, settings);
  let weighted = 0;
  let total = 0;
  for (const [name, weight] of Object.entries(settings.weights) as [keyof StrengthComponents, number][]) {
    const value = components[name];
    if (value === null) continue;
    weighted += weight * value;
    total += weight;
  }
  const score = total > 0 ? weighted / total : 0;
  return { score, components, segment: segmentOf(components, summary, now, settings.segments), summary };
}

function strengthComponents(summary: PairSummary, spend: ProviderSpend, now: number, settings: StrengthSettings): StrengthComponents {
  const ageDays = Math.max(0, now - summary.lastAt) / DAY_MS;
  const percentiles = Object.entries(summary.amounts).flatMap(([currency, amount]) => {
    const amounts = spend.get(currency);
    return amounts ? [percentileRank(amounts, amount)] : [];
  });
  return {
    recency: 0.5 ** (ageDays / settings.halfLifeDays),
    frequency: summary.count / (summary.count + settings.frequencyHalfCount),
    monetary: percentiles.length > 0 ? Math.max(...percentiles) : null,
    sentiment: summary.meanRating === null ? null : (summary.meanRating - 1) / 4,
  };
}

/** The first rule that holds, in this order: LOST, AT_RISK, CHAMPION, NEW, LOYAL, OCCASIONAL. */
function segmentOf(components: StrengthComponents, summary: PairSummary, now: number, thresholds: SegmentThresholds): Segment {
  const { recency, frequency, monetary } = components;
  if (recency < thresholds.lost) return 'LOST';
  const recent = recency >= thresholds.recent;
  if (!recent) return frequency >= thresholds.frequent ? 'AT_RISK' : 'OCCASIONAL';
  if (frequency >= thresholds.championFrequency && (monetary ?? 1) >= thresholds.championMonetary) return 'CHAMPION';
  if (now - summary.firstAt <= thresholds.newWithinDays * DAY_MS) return 'NEW';
  return frequency >= thresholds.frequent ? 'LOYAL' : 'OCCASIONAL';
}

/** Pairs by index, each with its provider (a node index) and its summary over the kinds asked for. */
export interface PairTable {
  pairCount: number;
  providerOf(pair: number): number;
  /** The pairs of a provider. */
  pairsOf(provider: number): number[];
  summary(pair: number): PairSummary;
}

/** Each pair's strength, in pair order, for use as an edge weight; a pair without relations of the kinds gets 0. */
export function edgeStrengths(pairs: PairTable, now: number, settings: StrengthSettings = DEFAULT_STRENGTH_SETTINGS): Float64Array {
  const summaries = Array.from({ length: pairs.pairCount }, (_, pair) => pairs.summary(pair));
  const spendOf = new Map<number, ProviderSpend>();
  return Float64Array.from(summaries, (summary, pair) => {
    const provider = pairs.providerOf(pair);
    let spend = spendOf.get(provider);
    if (!spend) spendOf.set(provider, (spend = providerSpend(pairs.pairsOf(provider).map((other) => summaries[other]))));
    return summary.count > 0 ? relationshipStrength(summary, spend, now, settings).score : 0;
  });
}
