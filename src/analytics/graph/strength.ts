import type { RelationKind } from '../../generated/prisma/enums';
import { type EdgeAttributes, type PairSummary, type RelationGraph, summarizePair } from './relation-graph';

/**
 * How strong a consumer–provider relationship is, from 0 to 1, and its RFM segment
 * (docs/recommendations.md gives the formula, the defaults and why).
 */

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

export function providerSpend(graph: RelationGraph, provider: string, kinds?: ReadonlySet<RelationKind>): ProviderSpend {
  const byCurrency = new Map<string, number[]>();
  graph.forEachEdge(provider, (_edge, attributes) => {
    for (const [currency, amount] of Object.entries(summarizePair(attributes, kinds).amounts)) {
      let amounts = byCurrency.get(currency);
      if (!amounts) byCurrency.set(currency, (amounts = []));
      amounts.push(amount);
    }
  });
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

/** Visits edges in some fixed order, each with its provider's node key. */
export type EdgeVisitor = (visit: (attributes: EdgeAttributes, provider: string) => void) => void;

/**
 * Each edge's strength over the relations of `kinds` (all when not given), in the order `edges`
 * visits them, for use as an edge weight. An edge without relations of those kinds gets 0.
 */
export function edgeStrengths(
  graph: RelationGraph,
  edges: EdgeVisitor,
  now: number,
  settings: StrengthSettings = DEFAULT_STRENGTH_SETTINGS,
  kinds?: ReadonlySet<RelationKind>,
): Float64Array {
  const spendOf = new Map<string, ProviderSpend>();
  const strengths: number[] = [];
  edges((attributes, provider) => {
    let spend = spendOf.get(provider);
    if (!spend) spendOf.set(provider, (spend = providerSpend(graph, provider, kinds)));
    const summary = summarizePair(attributes, kinds);
    strengths.push(summary.count > 0 ? relationshipStrength(summary, spend, now, settings).score : 0);
  });
  return Float64Array.from(strengths);
}
