import { UndirectedGraph } from 'graphology';
import type { GraphSnapshotVisitor, RelationRecord } from '../../db/graph-source';
import type { RelationKind } from '../../generated/prisma/enums';

/**
 * The relation graph: undirected and bipartite, a node per consumer and provider, an edge per
 * (consumer, provider) pair with at least one relation, carrying per-kind aggregates of that
 * pair's relations. Pure data and functions; the live projection keeps one current.
 */

export type Side = 'consumer' | 'provider';

export interface NodeAttributes {
  side: Side;
  id: number;
  /** The node's place in the live graph's snapshot mirror (serving/snapshot-source.ts). */
  slot?: number;
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
  /** The edge's place in the live graph's snapshot mirror (serving/snapshot-source.ts). */
  slot?: number;
}

export type RelationGraph = UndirectedGraph<NodeAttributes, EdgeAttributes>;

/** What the graph needs to know of one relation: the columns the database snapshot reads. */
export type RelationFacts = RelationRecord;

export function createRelationGraph(): RelationGraph {
  return new UndirectedGraph<NodeAttributes, EdgeAttributes>();
}

export function nodeKey(side: Side, id: number): string {
  return `${side === 'consumer' ? 'c' : 'p'}${id}`;
}

/** The party a node key names: `c12` is consumer 12, `p3` provider 3. */
export function partyOfKey(key: string): { party: Side; id: number } {
  return { party: key[0] === 'c' ? 'consumer' : 'provider', id: Number(key.slice(1)) };
}

export function addParty(graph: RelationGraph, side: Side, id: number): string {
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

/**
 * Builds a graph from a database snapshot (readGraphSnapshot's visitor), faster than addParty
 * and addRelation, which a build at a million relations feels: node keys are made once per
 * party, and a relation finds its pair's attributes by a number made of the two ids instead of
 * asking graphology, whose lookups slow down on providers with tens of thousands of consumers.
 */
export function snapshotLoader(graph: RelationGraph): GraphSnapshotVisitor {
  const keys: Record<Side, Map<number, string>> = { consumer: new Map(), provider: new Map() };
  const pairs = new Map<number, EdgeAttributes>();
  let providerSpan = 0;
  const party = (side: Side, id: number) => {
    const key = addParty(graph, side, id);
    keys[side].set(id, key);
    if (side === 'provider') providerSpan = Math.max(providerSpan, id + 1);
    return key;
  };
  const keyOf = (side: Side, id: number) => keys[side].get(id) ?? party(side, id);
  return {
    party,
    relation(relation) {
      const pair = relation.consumerId * providerSpan + relation.providerId;
      // Past 2^53 (or for a provider not listed first) the number no longer names one pair.
      if (relation.providerId >= providerSpan || !Number.isSafeInteger(pair)) return addRelation(graph, relation);
      let attributes = pairs.get(pair);
      if (attributes === undefined) {
        attributes = { count: 0, kinds: {} };
        graph.addEdge(keyOf('consumer', relation.consumerId), keyOf('provider', relation.providerId), attributes);
        pairs.set(pair, attributes);
      }
      aggregate(attributes, relation);
    },
  };
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

export function removeParty(graph: RelationGraph, side: Side, id: number): void {
  const key = nodeKey(side, id);
  if (!graph.hasNode(key)) return;
  // graphology drops a node's edges silently; dropping them first tells those who follow edge events.
  for (const edge of graph.edges(key)) graph.dropEdge(edge);
  graph.dropNode(key);
}

export interface PairSummary {
  count: number;
  countByKind: Partial<Record<RelationKind, number>>;
  firstAt: number;
  lastAt: number;
  amounts: Record<string, number>;
  /** Mean rating of the pair's reviews, or null without reviews. */
  meanRating: number | null;
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
