import { type Adjacency, nodeKey, partyOf, partyOfKey } from '../graph/adjacency';
import { type Recommendation, neighborsOf, popularProviders, recommendProviders } from '../graph/recommendations';

/**
 * Offline evaluation of provider recommendations: a train graph, providers held out per consumer,
 * and ranking metrics of what a recommender proposes against what the consumers went on to use.
 * Pure functions; the CLI (scripts/eval-recommendations.ts) feeds them CSV files.
 */

/** Held-out providers (node keys) per consumer (node key). */
export type HeldOut = ReadonlyMap<string, ReadonlySet<string>>;

/** The best `count` provider keys for a consumer key, best first. */
export type Recommender = (consumer: string, count: number) => string[];

export interface RankingMetrics {
  recall: number;
  ndcg: number;
  precisionAt10: number;
  /** Test consumers with at least one relevant provider: the ones the means run over. */
  evaluatedConsumers: number;
}

const PRECISION_DEPTH = 10;

/** The held-out providers that are new to the consumer: a train edge would make a hit trivial. */
export function relevantProviders(train: Adjacency, consumer: string, heldOut: ReadonlySet<string>): Set<string> {
  const known = new Set(ownProviders(train, consumer).map((node) => keyOf(train, node)));
  return new Set([...heldOut].filter((provider) => !known.has(provider)));
}

function hitsAt(ranked: readonly string[], relevant: ReadonlySet<string>, depth: number): number {
  return ranked.slice(0, depth).filter((provider) => relevant.has(provider)).length;
}

export function recallAt(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return relevant.size === 0 ? 0 : hitsAt(ranked, relevant, k) / relevant.size;
}

export function precisionAt(ranked: readonly string[], relevant: ReadonlySet<string>, depth: number): number {
  return hitsAt(ranked, relevant, depth) / depth;
}

/** Binary-relevance NDCG: a hit at rank r (from 1) gains 1/log2(r+1); the ideal puts every relevant provider first. */
export function ndcgAt(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const gain = (rank: number) => 1 / Math.log2(rank + 2);
  const dcg = ranked.slice(0, k).reduce((sum, provider, rank) => sum + (relevant.has(provider) ? gain(rank) : 0), 0);
  let idealDcg = 0;
  for (let rank = 0; rank < Math.min(k, relevant.size); rank++) idealDcg += gain(rank);
  return idealDcg === 0 ? 0 : dcg / idealDcg;
}

/** Each metric averaged over the test consumers that have something relevant to find. */
export function evaluateRecommender(train: Adjacency, test: HeldOut, k: number, recommend: Recommender): RankingMetrics {
  const totals = { recall: 0, ndcg: 0, precisionAt10: 0, evaluatedConsumers: 0 };
  // One list serves every depth: a top-n list's prefix is the top of any shorter list.
  const depth = Math.max(k, PRECISION_DEPTH);
  for (const [consumer, heldOut] of test) {
    const relevant = relevantProviders(train, consumer, heldOut);
    if (relevant.size === 0) continue;
    const ranked = recommend(consumer, depth);
    totals.recall += recallAt(ranked, relevant, k);
    totals.ndcg += ndcgAt(ranked, relevant, k);
    totals.precisionAt10 += precisionAt(ranked, relevant, PRECISION_DEPTH);
    totals.evaluatedConsumers++;
  }
  const mean = (total: number) => (totals.evaluatedConsumers === 0 ? 0 : total / totals.evaluatedConsumers);
  return {
    recall: mean(totals.recall),
    ndcg: mean(totals.ndcg),
    precisionAt10: mean(totals.precisionAt10),
    evaluatedConsumers: totals.evaluatedConsumers,
  };
}

export function rapportRecommender(train: Adjacency, beta: number): Recommender {
  return (consumer, count) => keysOf(recommendProviders(train, nodeOf(train, consumer), { first: count, beta, reasons: 0 }));
}

/** The most popular providers the consumer does not use yet: what any recommender has to beat. */
export function popularityRecommender(train: Adjacency): Recommender {
  return (consumer, count) => keysOf(popularProviders(train, count, new Set(ownProviders(train, consumer))));
}

function nodeOf(train: Adjacency, key: string): number {
  const { party, id } = partyOfKey(key);
  return train.nodeOf(party, id);
}

function ownProviders(train: Adjacency, consumer: string): number[] {
  return neighborsOf(train, nodeOf(train, consumer));
}

function keyOf(train: Adjacency, node: number): string {
  const { party, id } = partyOf(train, node);
  return nodeKey(party, id);
}

function keysOf(recommendations: Recommendation[]): string[] {
  return recommendations.map(({ provider }) => nodeKey(provider.party, provider.id));
}

export interface Comparison {
  rapport: RankingMetrics;
  popularity: RankingMetrics;
}

export function compareWithPopularity(train: Adjacency, test: HeldOut, k: number, beta: number): Comparison {
  return {
    rapport: evaluateRecommender(train, test, k, rapportRecommender(train, beta)),
    popularity: evaluateRecommender(train, test, k, popularityRecommender(train)),
  };
}
