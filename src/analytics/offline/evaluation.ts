import { type Adjacency, nodeKey, partyOf, partyOfKey } from '../graph/adjacency';
import { CONSUMER, csrFromEdges } from '../graph/csr';
import { type Recommendation, neighborsOf, popularProviders, recommendProviders } from '../graph/recommendations';
import { type MethodOptions, type RecommenderMethod, DEFAULT_METHOD_OPTIONS, csrRecommender } from '../graph/recommender-methods';
import { RelationStore } from '../serving/store';
import type { RelationRecord } from '../../db/graph-source';
import type { PlantedRow } from './planted-data';

/**
 * Offline evaluation of provider recommendations: a train graph, providers held out per consumer,
 * and ranking metrics of what a recommender proposes against what the consumers went on to use.
 * Pure functions; the CLI (scripts/eval-recommendations.ts) feeds them CSV files or data sets.
 */

/** Held-out providers (node keys) per consumer (node key). */
export type HeldOut = ReadonlyMap<string, ReadonlySet<string>>;

/** The best `count` provider keys for a consumer key, best first. */
export type Recommender = (consumer: string, count: number) => string[];

export interface RankingMetrics {
  recall: number;
  ndcg: number;
  precisionAt10: number;
  /** Mean average precision at k: each hit's precision at its rank, over min(k, relevant). */
  map: number;
  /** Share of the train graph's providers that appear in at least one top-k list. */
  coverage: number;
  /** Mean self-information −log2(consumers(p) / consumers) of the recommended providers, in bits: higher is less obvious. */
  novelty: number;
  /** Test consumers with at least one relevant provider: the ones the means run over. */
  evaluatedConsumers: number;
}

const PRECISION_DEPTH = 10;

export interface EvaluationData {
  graph: RelationStore;
  heldOut: Map<string, Set<string>>;
  consumers: number;
  providers: number;
}

/** A split as the evaluation reads it: integer ids for the external keys, shared by both parts; only train rows enter the graph. */
export function evaluationData(train: readonly PlantedRow[], test: readonly PlantedRow[]): EvaluationData {
  const consumerIds = new Map<string, number>();
  const providerIds = new Map<string, number>();
  const idsOf = (row: PlantedRow) => ({ consumerId: idOf(consumerIds, row.consumer), providerId: idOf(providerIds, row.provider) });

  const graph = new RelationStore();
  for (const row of train) graph.relation(relationFacts(row, idsOf(row)));
  graph.compact();
  const heldOut = new Map<string, Set<string>>();
  for (const row of test) {
    const { consumerId, providerId } = idsOf(row);
    const consumer = nodeKey('consumer', consumerId);
    heldOut.set(consumer, (heldOut.get(consumer) ?? new Set()).add(nodeKey('provider', providerId)));
  }
  return { graph, heldOut, consumers: consumerIds.size, providers: providerIds.size };
}

function idOf(ids: Map<string, number>, key: string): number {
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = ids.size + 1));
  return id;
}

/** The recommenders read edges only; kind and amounts just have to be valid. */
function relationFacts(row: PlantedRow, ids: { consumerId: number; providerId: number }): RelationRecord {
  const occurredAt = row.timestamp;
  return row.rating === null
    ? { ...ids, kind: 'PURCHASE', occurredAt, amountMinor: 0, currency: 'EUR', rating: null }
    : { ...ids, kind: 'REVIEW', occurredAt, amountMinor: null, currency: null, rating: row.rating };
}

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

/** Binary-relevance average precision at k, normalized by min(k, relevant) as is usual for top-k lists. */
export function averagePrecisionAt(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const ideal = Math.min(k, relevant.size);
  if (ideal === 0) return 0;
  let hits = 0;
  let sum = 0;
  ranked.slice(0, k).forEach((provider, rank) => {
    if (relevant.has(provider)) sum += ++hits / (rank + 1);
  });
  return sum / ideal;
}

/** Each metric averaged over the test consumers that have something relevant to find. */
export function evaluateRecommender(train: Adjacency, test: HeldOut, k: number, recommend: Recommender): RankingMetrics {
  const totals = { recall: 0, ndcg: 0, precisionAt10: 0, map: 0, evaluatedConsumers: 0 };
  const recommended = new Set<string>();
  const selfInformation = { sum: 0, count: 0 };
  const { providers, consumers } = sideCounts(train);
  // One list serves every depth: a top-n list's prefix is the top of any shorter list.
  const depth = Math.max(k, PRECISION_DEPTH);
  for (const [consumer, heldOut] of test) {
    const relevant = relevantProviders(train, consumer, heldOut);
    if (relevant.size === 0) continue;
    const ranked = recommend(consumer, depth);
    totals.recall += recallAt(ranked, relevant, k);
    totals.ndcg += ndcgAt(ranked, relevant, k);
    totals.map += averagePrecisionAt(ranked, relevant, k);
    totals.precisionAt10 += precisionAt(ranked, relevant, PRECISION_DEPTH);
    totals.evaluatedConsumers++;
    for (const provider of ranked.slice(0, k)) {
      // Only the train graph's providers have a popularity to measure against.
      const node = nodeOf(train, provider);
      if (node < 0 || train.degree(node) === 0) continue;
      recommended.add(provider);
      selfInformation.sum += -Math.log2(train.degree(node) / consumers);
      selfInformation.count++;
    }
  }
  const mean = (total: number) => (totals.evaluatedConsumers === 0 ? 0 : total / totals.evaluatedConsumers);
  return {
    recall: mean(totals.recall),
    ndcg: mean(totals.ndcg),
    precisionAt10: mean(totals.precisionAt10),
    map: mean(totals.map),
    coverage: providers === 0 ? 0 : recommended.size / providers,
    novelty: selfInformation.count === 0 ? 0 : selfInformation.sum / selfInformation.count,
    evaluatedConsumers: totals.evaluatedConsumers,
  };
}

function sideCounts(graph: Adjacency): { providers: number; consumers: number } {
  const counts = { providers: 0, consumers: 0 };
  for (let node = 0; node < graph.nodeBound; node++) {
    if (graph.isNode(node)) graph.sideOf(node) === CONSUMER ? counts.consumers++ : counts.providers++;
  }
  return counts;
}

/** The train graph as the CSR kernels read it, with each node's key by index. */
export function relationCsr(graph: Adjacency) {
  const keys = Array.from({ length: graph.nodeBound }, (_, node) => (graph.isNode(node) ? keyOf(graph, node) : ''));
  const indexOf = new Map(keys.map((key, index) => [key, index]));
  const sides = Uint8Array.from(keys, (_, node) => (graph.isNode(node) ? graph.sideOf(node) : CONSUMER));
  const sources: number[] = [];
  const targets: number[] = [];
  for (let node = 0; node < graph.nodeBound; node++) {
    if (!graph.isNode(node)) continue;
    graph.forEachNeighbor(node, (neighbor) => {
      if (neighbor > node) {
        sources.push(node);
        targets.push(neighbor);
      }
    });
  }
  return { csr: csrFromEdges(keys.length, Int32Array.from(sources), Int32Array.from(targets)), sides, keys, indexOf };
}

/** A CSR method (EASE, item-kNN, personalized PageRank) over the train graph, its model built once. */
export function methodRecommender(train: Adjacency, method: RecommenderMethod, options: MethodOptions = DEFAULT_METHOD_OPTIONS): Recommender {
  const { csr, sides, keys, indexOf } = relationCsr(train);
  const recommend = csrRecommender(csr, sides, method, options);
  const popular = popularityRecommender(train);
  return (consumer, count) => {
    const index = indexOf.get(consumer);
    const ranked = index === undefined ? [] : recommend(index, { first: count, reasons: 0 }).map((entry) => keys[entry.node]);
    if (ranked.length >= count) return ranked;
    // As served: popular providers fill a short list.
    const seen = new Set(ranked);
    return [...ranked, ...popular(consumer, count).filter((provider) => !seen.has(provider))].slice(0, count);
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
