import { UndirectedGraph } from 'graphology';
import type { RelationRecord } from '../../db/graph-source';
import type { Party } from '../../db/party';
import type { RelationKind } from '../../generated/prisma/enums';
import { nodeKey } from './adjacency';
import type { PairSummary } from './strength';

/**
 * The relation graph as a graphology graph: undirected and bipartite, a node per consumer and
 * provider, an edge per (consumer, provider) pair with at least one relation, carrying per-kind
 * aggregates of that pair's relations. The live projection is a RelationStore
 * (serving/store.ts); this form is for offline tools (the synthetic platform) and test oracles.
 */

export interface NodeAttributes {
  side: Party;
  id: number;
}

export interface KindAggregate {
  count: number;
  /** Milliseconds since the epoch of the first and last occurrence. */
  firstAt: number;
  lastAt: number;
  /** Sum of amounts per currency, in minor units. */
  amounts: Record<string, number>;
  ratingSum: number;
  ratingCount: number;
}

export interface EdgeAttributes {
  /** Relations on the pair, over the kinds the graph holds. */
  count: number;
  kinds: Partial<Record<RelationKind, KindAggregate>>;
  /** The pair's relationship strength, set only on graphs that analytics weigh by it. */
  strength?: number;
}

export type RelationGraph = UndirectedGraph<NodeAttributes, EdgeAttributes>;

/** What the graph needs to know of one relation: the columns the database snapshot reads. */
export type RelationFacts = RelationRecord;

export function createRelationGraph(): RelationGraph {
  return new UndirectedGraph<NodeAttributes, EdgeAttributes>();
}

export function addParty(graph: RelationGraph, side: Party, id: number): string {
  const key = nodeKey(side, id);
  graph.mergeNode(key, { side, id });
  return key;
}

export function addRelation(graph: RelationGraph, relation: RelationFacts): void {
  const consumer = addParty(graph, 'consumer', relation.consumerId);
  const provider = addParty(graph, 'provider', relation.providerId);
  let edge = graph.edge(consumer, provider);
  if (edge === undefined) edge = graph.addEdge(consumer, provider, { count: 0, kinds: {} });
  aggregate(graph.getEdgeAttributes(edge), relation);
}

/** Shared by the aggregates without amounts (reviews, favourites): a million pairs need no million empty objects. */
const NO_AMOUNTS: Readonly<Record<string, number>> = Object.freeze({});

/** Adds a relation to its pair's aggregates. */
function aggregate(attributes: EdgeAttributes, relation: RelationFacts): void {
  const kind = (attributes.kinds[relation.kind] ??= {
    count: 0,
    firstAt: relation.occurredAt,
    lastAt: relation.occurredAt,
    amounts: NO_AMOUNTS as Record<string, number>,
    ratingSum: 0,
    ratingCount: 0,
  });
  attributes.count++;
  kind.count++;
  kind.firstAt = Math.min(kind.firstAt, relation.occurredAt);
  kind.lastAt = Math.max(kind.lastAt, relation.occurredAt);
  if (relation.amountMinor !== null && relation.currency !== null) {
    if (kind.amounts === NO_AMOUNTS) kind.amounts = {};
    kind.amounts[relation.currency] = (kind.amounts[relation.currency] ?? 0) + relation.amountMinor;
  }
  if (relation.rating !== null) {
    kind.ratingSum += relation.rating;
    kind.ratingCount++;
  }
}

/** Occurrence bounds of the relations of one kind that remain on a pair after a removal. */
export interface RemainingBounds {
  firstAt: number;
  lastAt: number;
}

/**
 * Takes a relation out of its pair's aggregates; the pair's edge goes when its last relation
 * does. `remaining` gives the new first and last occurrence when relations of that kind remain.
 */
export function removeRelation(graph: RelationGraph, relation: RelationFacts, remaining?: RemainingBounds): void {
  const edge = pairEdge(graph, relation.consumerId, relation.providerId);
  if (edge === undefined) return;
  const attributes = graph.getEdgeAttributes(edge);
  const aggregate = attributes.kinds[relation.kind];
  if (!aggregate) return;
  attributes.count--;
  aggregate.count--;
  if (relation.amountMinor !== null && relation.currency !== null) {
    aggregate.amounts[relation.currency] -= relation.amountMinor;
    if (aggregate.amounts[relation.currency] === 0) delete aggregate.amounts[relation.currency];
  }
  if (relation.rating !== null) {
    aggregate.ratingSum -= relation.rating;
    aggregate.ratingCount--;
  }
  if (aggregate.count === 0) delete attributes.kinds[relation.kind];
  else if (remaining) Object.assign(aggregate, remaining);
  if (attributes.count === 0) graph.dropEdge(edge);
}

/** The edge of a consumer–provider pair, if both exist and have relations. */
export function pairEdge(graph: RelationGraph, consumerId: number, providerId: number): string | undefined {
  const consumer = nodeKey('consumer', consumerId);
  const provider = nodeKey('provider', providerId);
  return graph.hasNode(consumer) && graph.hasNode(provider) ? graph.edge(consumer, provider) : undefined;
}

export function removeParty(graph: RelationGraph, side: Party, id: number): void {
  const key = nodeKey(side, id);
  if (!graph.hasNode(key)) return;
  // graphology drops a node's edges silently; dropping them first tells those who follow edge events.
  for (const edge of graph.edges(key)) graph.dropEdge(edge);
  graph.dropNode(key);
}

/** The aggregates of a pair over the kinds its edge holds, or only over `kinds` when given. */
export function summarizePair(attributes: EdgeAttributes, kinds?: ReadonlySet<RelationKind>): PairSummary {
  const summary: PairSummary = { count: 0, countByKind: {}, firstAt: Infinity, lastAt: -Infinity, amounts: {}, meanRating: null };
  let ratingSum = 0;
  let ratingCount = 0;
  for (const [kind, aggregate] of Object.entries(attributes.kinds) as [RelationKind, KindAggregate][]) {
    if (kinds && !kinds.has(kind)) continue;
    summary.count += aggregate.count;
    summary.countByKind[kind] = aggregate.count;
    summary.firstAt = Math.min(summary.firstAt, aggregate.firstAt);
    summary.lastAt = Math.max(summary.lastAt, aggregate.lastAt);
    for (const [currency, amount] of Object.entries(aggregate.amounts)) {
      summary.amounts[currency] = (summary.amounts[currency] ?? 0) + amount;
    }
    ratingSum += aggregate.ratingSum;
    ratingCount += aggregate.ratingCount;
  }
  summary.meanRating = ratingCount > 0 ? ratingSum / ratingCount : null;
  return summary;
}
