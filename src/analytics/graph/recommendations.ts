import { coConsumptionOf } from './co-consumption';
import type { RelationGraph } from './relation-graph';

/**
 * Recommendations over the bipartite relation graph (docs/recommendations.md). Pure functions
 * of a graph and options; node keys in, scores out.
 */

export interface RecommendationOptions {
  /** How many to return. */
  first: number;
  /**
   * RP3β's popularity penalty: a candidate's walk score is divided by deg(candidate)^β.
   * 0 is plain P3 (three-step random walk); chosen by offline evaluation.
   */
  beta: number;
  /** How many contributing providers to keep as reasons per recommendation. */
  reasons: number;
}

/** β = 0.25 had the best NDCG@20 on the planted data set (docs/recommendations.md). */
export const DEFAULT_RECOMMENDATION_OPTIONS: Omit<RecommendationOptions, 'first'> = { beta: 0.25, reasons: 3 };

export interface Reason {
  /** One of the consumer's own providers whose consumers also use the recommended one. */
  provider: string;
  /** Consumers the two providers share. */
  sharedConsumers: number;
  /** This provider's part of the recommendation's score. */
  contribution: number;
}

export interface Recommendation {
  provider: string;
  score: number;
  /** COLLABORATIVE: reached through the consumer's own providers; POPULAR: a popular provider. */
  basis: 'COLLABORATIVE' | 'POPULAR';
  reasons: Reason[];
  /** Distinct consumers of the recommended provider. */
  consumers: number;
}

/**
 * Providers for `consumer` that it has no relation with yet, by RP3β: the probability that a
 * random walk consumer → provider → consumer → provider ends at a candidate, divided by the
 * candidate's degree to the power β. When the walk reaches fewer than `first` providers (a
 * consumer without relations reaches none), popular providers fill the list, marked POPULAR.
 */
export function recommendProviders(graph: RelationGraph, consumer: string, options: RecommendationOptions): Recommendation[] {
  const own = graph.hasNode(consumer) ? graph.neighbors(consumer) : [];
  const excluded = new Set(own);
  const index = coConsumptionOf(graph);
  const candidates = new Map<string, { score: number; reasons: Reason[] }>();

  for (const provider of own) {
    const step = 1 / (own.length * graph.degree(provider));
    for (const [candidate, common] of index.row(provider)) {
      if (excluded.has(candidate)) continue;
      let entry = candidates.get(candidate);
      if (!entry) candidates.set(candidate, (entry = { score: 0, reasons: [] }));
      const contribution = step * common.walk;
      entry.score += contribution;
      entry.reasons.push({ provider, sharedConsumers: common.shared, contribution });
    }
  }

  const collaborative = [...candidates].map(([provider, { score, reasons }]): Recommendation => {
    const penalty = graph.degree(provider) ** options.beta;
    return {
      provider,
      score: score / penalty,
      basis: 'COLLABORATIVE',
      consumers: graph.degree(provider),
      reasons: reasons
        .map((reason) => ({ ...reason, contribution: reason.contribution / penalty }))
        .sort(byContribution)
        .slice(0, options.reasons),
    };
  });
  const ranked = topBy(collaborative, options.first, (a, b) => b.score - a.score || compareKeys(a.provider, b.provider));
  if (ranked.length === options.first) return ranked;

  for (const provider of ranked) excluded.add(provider.provider);
  return [...ranked, ...popularProviders(graph, options.first - ranked.length, excluded)];
}

/** The providers with the most distinct consumers, scored by their share of all consumers. */
export function popularProviders(graph: RelationGraph, first: number, excluded: ReadonlySet<string> = new Set()): Recommendation[] {
  const providers: string[] = [];
  let consumerCount = 0;
  graph.forEachNode((node, attributes) => {
    if (attributes.side === 'consumer') consumerCount++;
    else if (!excluded.has(node)) providers.push(node);
  });
  return topBy(providers, first, (a, b) => graph.degree(b) - graph.degree(a) || compareKeys(a, b)).map((provider) => ({
    provider,
    score: consumerCount > 0 ? graph.degree(provider) / consumerCount : 0,
    basis: 'POPULAR',
    consumers: graph.degree(provider),
    reasons: [],
  }));
}

export interface Similar {
  node: string;
  /** Cosine similarity of the two neighbour sets: shared / √(deg(a)·deg(b)), from 0 to 1. */
  similarity: number;
  /** Neighbours the two have in common. */
  shared: number;
}

/** Providers whose consumers overlap most with `provider`'s, by cosine similarity. */
export function similarProviders(graph: RelationGraph, provider: string, first: number): Similar[] {
  if (!graph.hasNode(provider)) return [];
  const similar = [...coConsumptionOf(graph).row(provider)].map(([node, common]) => cosine(graph, provider, node, common.shared));
  return topBy(similar, first, bySimilarity);
}

/** Consumers whose providers overlap most with `consumer`'s, by cosine similarity. */
export function similarConsumers(graph: RelationGraph, consumer: string, first: number): Similar[] {
  if (!graph.hasNode(consumer)) return [];
  const shared = new Map<string, number>();
  for (const provider of graph.neighbors(consumer)) {
    graph.forEachNeighbor(provider, (other) => other !== consumer && shared.set(other, (shared.get(other) ?? 0) + 1));
  }
  const similar = [...shared].map(([node, count]) => cosine(graph, consumer, node, count));
  return topBy(similar, first, bySimilarity);
}

function cosine(graph: RelationGraph, a: string, b: string, shared: number): Similar {
  return { node: b, similarity: shared / Math.sqrt(graph.degree(a) * graph.degree(b)), shared };
}

const byContribution = (a: Reason, b: Reason) => b.contribution - a.contribution || compareKeys(a.provider, b.provider);
const bySimilarity = (a: Similar, b: Similar) => b.similarity - a.similarity || b.shared - a.shared || compareKeys(a.node, b.node);

/** Orders node keys such as `p2` and `p10` by their numeric ID, for stable ties. */
function compareKeys(a: string, b: string): number {
  return Number(a.slice(1)) - Number(b.slice(1));
}

/** The `first` best items by `compare`, without sorting the whole list when it is long. */
function topBy<T>(items: T[], first: number, compare: (a: T, b: T) => number): T[] {
  if (first <= 0) return [];
  if (items.length > first * 8) {
    // Partial selection: keep a sorted buffer of the best `first`.
    const best: T[] = [];
    for (const item of items) {
      if (best.length === first && compare(item, best[first - 1]) >= 0) continue;
      let position = best.length < first ? best.length : first - 1;
      while (position > 0 && compare(item, best[position - 1]) < 0) position--;
      best.splice(position, 0, item);
      if (best.length > first) best.pop();
    }
    return best;
  }
  return items.sort(compare).slice(0, first);
}
