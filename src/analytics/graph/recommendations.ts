import type { PartyRef } from '../../db/party';
import { type Adjacency, isProvider, partyOf } from './adjacency';
import { CoConsumptionRow } from './kernels/co-consumption';
import { type PackedItemModel, type ScoredNode, columnModel, scoreByItemModel } from './kernels/item-models';
import { topBy } from './kernels/similarity';

/**
 * Recommendations over the bipartite relation graph (docs/recommendations.md). Pure functions
 * of a graph (the live store or a snapshot) and options; node indices in, parties out.
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
  provider: PartyRef;
  /** Consumers the two providers share. */
  sharedConsumers: number;
  /** This provider's part of the recommendation's score. */
  contribution: number;
}

export interface Recommendation {
  provider: PartyRef;
  score: number;
  /** COLLABORATIVE: reached through the consumer's own providers; POPULAR: a popular provider. */
  basis: 'COLLABORATIVE' | 'POPULAR';
  reasons: Reason[];
  /** Distinct consumers of the recommended provider. */
  consumers: number;
}

/** One row scratch per graph size: rows are filled and read synchronously, one at a time. */
let scratch: CoConsumptionRow | undefined;

function rowOf(graph: Adjacency, provider: number): CoConsumptionRow {
  if (!scratch || scratch.nodeBound < graph.nodeBound) scratch = new CoConsumptionRow(Math.ceil(graph.nodeBound * 1.25));
  return scratch.fill(graph, provider);
}

/** The neighbours of a node, none for −1 or a vacant node. */
export function neighborsOf(graph: Adjacency, node: number): number[] {
  const neighbors: number[] = [];
  if (node >= 0 && graph.isNode(node)) graph.forEachNeighbor(node, (neighbor) => neighbors.push(neighbor));
  return neighbors;
}

/**
 * Providers for `consumer` that it has no relation with yet, by RP3β: the probability that a
 * random walk consumer → provider → consumer → provider ends at a candidate, divided by the
 * candidate's degree to the power β. When the walk reaches fewer than `first` providers (a
 * consumer without relations reaches none), popular providers fill the list, marked POPULAR.
 */
export function recommendProviders(graph: Adjacency, consumer: number, options: RecommendationOptions): Recommendation[] {
  const own = neighborsOf(graph, consumer);
  const excluded = new Set(own);
  const candidates = new Map<number, { score: number; reasons: { provider: number; sharedConsumers: number; contribution: number }[] }>();

  for (const provider of own) {
    const step = 1 / (own.length * graph.degree(provider));
    const row = rowOf(graph, provider);
    for (const candidate of row.partners) {
      if (excluded.has(candidate)) continue;
      let entry = candidates.get(candidate);
      if (!entry) candidates.set(candidate, (entry = { score: 0, reasons: [] }));
      const contribution = step * row.walk[candidate];
      entry.score += contribution;
      entry.reasons.push({ provider, sharedConsumers: row.shared[candidate], contribution });
    }
  }

  const collaborative = [...candidates].map(([provider, { score, reasons }]) => {
    const penalty = graph.degree(provider) ** options.beta;
    return { provider, score: score / penalty, reasons, penalty };
  });
  const ranked = topBy(collaborative, options.first, (a, b) => descending(a.score, b.score) || graph.idOf(a.provider) - graph.idOf(b.provider)).map(
    ({ provider, score, reasons, penalty }): Recommendation => ({
      provider: partyOf(graph, provider),
      score,
      basis: 'COLLABORATIVE',
      consumers: graph.degree(provider),
      reasons: topBy(reasons, options.reasons, (a, b) => descending(a.contribution, b.contribution) || graph.idOf(a.provider) - graph.idOf(b.provider)).map(
        (reason) => ({ ...reason, provider: partyOf(graph, reason.provider), contribution: reason.contribution / penalty }),
      ),
    }),
  );
  if (ranked.length === options.first) return ranked;

  for (const { provider } of ranked) excluded.add(graph.nodeOf(provider.party, provider.id));
  return [...ranked, ...popularProviders(graph, options.first - ranked.length, excluded)];
}

/**
 * Kernel scores as recommendations on `graph`, filled up with popular providers when fewer than
 * `first`. `nodeOf` maps a scored index (a node, or a packed model's column) to the graph's node,
 * −1 for a provider the graph no longer holds; `own` are the consumer's providers, never offered.
 */
export function scoredRecommendations(graph: Adjacency, scored: ScoredNode[], first: number, nodeOf: (index: number) => number, own: Iterable<number>): Recommendation[] {
  const excluded = new Set(own);
  const ranked: Recommendation[] = [];
  for (const entry of scored) {
    const provider = nodeOf(entry.node);
    if (provider === -1) continue;
    excluded.add(provider);
    const reasons = entry.reasons.flatMap(({ provider: source, sharedConsumers, contribution }) => {
      const node = nodeOf(source);
      return node === -1 ? [] : [{ provider: partyOf(graph, node), sharedConsumers, contribution }];
    });
    ranked.push({ provider: partyOf(graph, provider), score: entry.score, basis: 'COLLABORATIVE', consumers: graph.degree(provider), reasons });
  }
  return ranked.length >= first ? ranked : [...ranked, ...popularProviders(graph, first - ranked.length, excluded)];
}

/**
 * An item model (EASE, item-kNN) built on an earlier version of the graph, whose columns name
 * providers by ID, scoring a consumer's providers as they are now: exact in the consumer's own
 * relations, while the weights between providers are those of the model's version. Providers
 * new since that version are neither reasons nor candidates until the next model.
 */
export class ProviderItemModel {
  private readonly columnOf: Map<number, number>;
  private readonly model;

  constructor(readonly packed: PackedItemModel) {
    this.columnOf = new Map(Array.from(packed.providers, (id, column) => [id, column]));
    this.model = columnModel(packed);
  }

  get providerCount(): number {
    return this.packed.providers.length;
  }

  /** `own` are the consumer's providers in `graph` (of the kinds asked about). */
  recommend(graph: Adjacency, own: readonly number[], options: RecommendationOptions): Recommendation[] {
    const ownColumns = new Set<number>();
    for (const node of own) {
      const column = this.columnOf.get(graph.idOf(node));
      if (column !== undefined) ownColumns.add(column);
    }
    const scored = scoreByItemModel(this.model, ownColumns, { first: options.first, reasons: options.reasons, ids: this.packed.providers });
    return scoredRecommendations(graph, scored, options.first, (column) => graph.nodeOf('provider', this.packed.providers[column]), own);
  }
}

/** The providers with the most distinct consumers, scored by their share of all consumers. */
export function popularProviders(graph: Adjacency, first: number, excluded: ReadonlySet<number> = new Set()): Recommendation[] {
  const providers: number[] = [];
  let consumerCount = 0;
  for (let node = 0; node < graph.nodeBound; node++) {
    if (!graph.isNode(node)) continue;
    if (!isProvider(graph, node)) consumerCount++;
    else if (!excluded.has(node)) providers.push(node);
  }
  return topBy(providers, first, (a, b) => graph.degree(b) - graph.degree(a) || graph.idOf(a) - graph.idOf(b)).map((provider) => ({
    provider: partyOf(graph, provider),
    score: consumerCount > 0 ? graph.degree(provider) / consumerCount : 0,
    basis: 'POPULAR',
    consumers: graph.degree(provider),
    reasons: [],
  }));
}

export interface Similar {
  party: PartyRef;
  /** Cosine similarity of the two neighbour sets: shared / √(deg(a)·deg(b)), from 0 to 1. */
  similarity: number;
  /** Neighbours the two have in common. */
  shared: number;
}

/** Providers whose consumers overlap most with `provider`'s, by cosine similarity. */
export function similarProviders(graph: Adjacency, provider: number, first: number): Similar[] {
  if (provider < 0 || !graph.isNode(provider)) return [];
  const row = rowOf(graph, provider);
  return mostSimilar(graph, provider, Array.from(row.partners, (node) => [node, row.shared[node]]), first);
}

/** Consumers whose providers overlap most with `consumer`'s, by cosine similarity. */
export function similarConsumers(graph: Adjacency, consumer: number, first: number): Similar[] {
  const shared = new Map<number, number>();
  for (const provider of neighborsOf(graph, consumer)) {
    graph.forEachNeighbor(provider, (other) => other !== consumer && shared.set(other, (shared.get(other) ?? 0) + 1));
  }
  return mostSimilar(graph, consumer, [...shared], first);
}

function mostSimilar(graph: Adjacency, node: number, shared: [number, number][], first: number): Similar[] {
  const similar = shared.map(([other, count]) => ({ other, count, similarity: count / Math.sqrt(graph.degree(node) * graph.degree(other)) }));
  const bySimilarity = (a: (typeof similar)[number], b: (typeof similar)[number]) =>
    descending(a.similarity, b.similarity) || b.count - a.count || graph.idOf(a.other) - graph.idOf(b.other);
  return topBy(similar, first, bySimilarity).map(({ other, count, similarity }) => ({ party: partyOf(graph, other), similarity, shared: count }));
}

/**
 * Higher first, with values equal to 12 significant digits tied: sums over neighbours in another
 * order (before and after a compaction) differ in the last bits, and must not reorder the answer.
 */
function descending(a: number, b: number): number {
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b)) ? 0 : b - a;
}
