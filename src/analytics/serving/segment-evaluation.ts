import type { SegmentCondition, StoredWindow } from '../../domain/segment-definition';
import { kindMask } from '../graph/snapshot';
import { CONSUMER } from '../graph/csr';
import type { RelationStore } from './store';
import type { Analytics } from './service';
import { type TimeWindow, resolveWindow } from './window';

/**
 * Every relation ever recorded: segments read the graph of this window (from the database, at a
 * change log position, window-graphs.ts), never the live projection's internals.
 */
export const ALL_TIME: TimeWindow = { from: Date.UTC(1970, 0, 1), to: Date.UTC(9999, 11, 31) };

/** What an evaluation reads: the analytics, the all-time graph, the consumers who gave marketing consent. */
export interface SegmentInputs {
  analytics: Analytics;
  /** The all-time relation graph at the evaluation's change log position. */
  graph: RelationStore;
  consentingConsumers: () => Promise<ReadonlySet<number>>;
  now: number;
}

type Predicate = (consumerId: number) => boolean;

/**
 * The consumers a definition holds for, among the platform's consumers or (for a provider's
 * segment) that provider's customers. Facts a condition needs (window graphs, rankings,
 * communities, strengths) are gathered first, once each; then every candidate is tested.
 */
export async function evaluateSegment(
  definition: SegmentCondition,
  ownerProviderId: number | null,
  inputs: SegmentInputs,
  among?: readonly number[],
): Promise<Set<number>> {
  const predicate = await compile(definition, ownerProviderId, inputs);
  const members = new Set<number>();
  const pool = among ? among.filter((consumerId) => isCandidate(inputs.graph, ownerProviderId, consumerId)) : candidates(inputs.graph, ownerProviderId);
  for (const consumerId of pool) if (predicate(consumerId)) members.add(consumerId);
  return members;
}

function isCandidate(graph: RelationStore, ownerProviderId: number | null, consumerId: number): boolean {
  if (ownerProviderId !== null) return graph.pairOf(consumerId, ownerProviderId) !== -1;
  const node = graph.nodeOf('consumer', consumerId);
  return node !== -1 && graph.isNode(node);
}

/**
 * True when whether a consumer holds depends on that consumer's own relations and consent only:
 * then a write can move only the consumer it names (strength and RFM segments rank a consumer
 * among the provider's others; graph facts depend on everyone).
 */
export function isPerConsumer(condition: SegmentCondition): boolean {
  if ('and' in condition) return condition.and.every(isPerConsumer);
  if ('or' in condition) return condition.or.every(isPerConsumer);
  if ('not' in condition) return isPerConsumer(condition.not);
  return 'relations' in condition || 'marketingConsent' in condition;
}

function candidates(graph: RelationStore, ownerProviderId: number | null): number[] {
  const ids: number[] = [];
  if (ownerProviderId === null) {
    for (let node = 0; node < graph.nodeBound; node++) if (graph.isNode(node) && graph.sideOf(node) === CONSUMER) ids.push(graph.idOf(node));
    return ids;
  }
  const provider = graph.nodeOf('provider', ownerProviderId);
  if (provider !== -1) graph.forEachNeighbor(provider, (consumer) => ids.push(graph.idOf(consumer)));
  return ids;
}

async function compile(condition: SegmentCondition, owner: number | null, inputs: SegmentInputs): Promise<Predicate> {
  const { analytics } = inputs;
  if ('and' in condition) {
    const parts = await Promise.all(condition.and.map((part) => compile(part, owner, inputs)));
    return (consumer) => parts.every((part) => part(consumer));
  }
  if ('or' in condition) {
    const parts = await Promise.all(condition.or.map((part) => compile(part, owner, inputs)));
    return (consumer) => parts.some((part) => part(consumer));
  }
  if ('not' in condition) {
    const part = await compile(condition.not, owner, inputs);
    return (consumer) => !part(consumer);
  }
  if ('relations' in condition) {
    const { window } = condition.relations;
    const graph = window ? (await analytics.windowGraph(resolveStored(window, inputs.now))).graph : inputs.graph;
    return relationsPredicate(graph, condition.relations);
  }
  if ('strength' in condition) {
    const { providerId, min, max } = condition.strength;
    const { byConsumer } = await analytics.providerRelationships(providerId, ALL_TIME);
    return (consumer) => {
      const score = byConsumer.get(consumer)?.score;
      return score !== undefined && (min === null || score >= min) && (max === null || score <= max);
    };
  }
  if ('relationshipSegment' in condition) {
    const { providerId } = condition.relationshipSegment;
    const wanted = new Set(condition.relationshipSegment.in);
    const { byConsumer } = await analytics.providerRelationships(providerId, ALL_TIME);
    return (consumer) => {
      const segment = byConsumer.get(consumer)?.segment;
      return segment !== undefined && wanted.has(segment);
    };
  }
  if ('community' in condition) {
    const partition = await analytics.communities(null, 1, 'NONE');
    const members = new Set((partition.communities.at(condition.community.index)?.members() ?? []).filter((m) => m.party === 'consumer').map((m) => m.id));
    return (consumer) => members.has(consumer);
  }
  if ('centrality' in condition) {
    const { metric, maxRank, topPercent } = condition.centrality;
    const ranking = (await analytics.centrality(metric, null, 'NONE')).top('consumer', Number.MAX_SAFE_INTEGER);
    const limit = maxRank ?? Math.ceil((ranking.length * topPercent!) / 100);
    const within = new Set(ranking.filter((entry) => entry.rank <= limit).map((entry) => entry.id));
    return (consumer) => within.has(consumer);
  }
  if ('distance' in condition) {
    const near = consumersWithin(inputs.graph, condition.distance.providerId, condition.distance.maxHops);
    return (consumer) => near.has(consumer);
  }
  const consenting = await inputs.consentingConsumers();
  const wanted = condition.marketingConsent;
  return (consumer) => consenting.has(consumer) === wanted;
}

function relationsPredicate(graph: RelationStore, condition: Extract<SegmentCondition, { relations: unknown }>['relations']): Predicate {
  const mask = kindMask(condition.kinds);
  const provider = condition.providerId === null ? null : graph.nodeOf('provider', condition.providerId);
  const { minCount, maxCount, amount } = condition;
  return (consumerId) => {
    const consumer = graph.nodeOf('consumer', consumerId);
    let count = 0;
    let spent = 0;
    if (consumer !== -1) {
      graph.forEachPair(consumer, (pair, neighbor) => {
        if (provider !== null && neighbor !== provider) return;
        const summary = graph.summary(pair, mask);
        count += summary.count;
        if (amount) spent += summary.amounts[amount.currency] ?? 0;
      });
    }
    if (minCount !== null && count < minCount) return false;
    if (maxCount !== null && count > maxCount) return false;
    if (amount?.min != null && spent < amount.min) return false;
    if (amount?.max != null && spent > amount.max) return false;
    return true;
  };
}

/** Consumers at most `maxHops` edges from the provider, by breadth-first search. */
function consumersWithin(graph: RelationStore, providerId: number, maxHops: number): Set<number> {
  const start = graph.nodeOf('provider', providerId);
  const found = new Set<number>();
  if (start === -1) return found;
  const seen = new Set([start]);
  let frontier = [start];
  for (let hops = 1; hops <= maxHops && frontier.length > 0; hops++) {
    const next: number[] = [];
    for (const node of frontier) {
      graph.forEachNeighbor(node, (neighbor) => {
        if (seen.has(neighbor)) return;
        seen.add(neighbor);
        next.push(neighbor);
        if (graph.sideOf(neighbor) === CONSUMER) found.add(graph.idOf(neighbor));
      });
    }
    frontier = next;
  }
  return found;
}

export function resolveStored(window: StoredWindow, now: number) {
  return resolveWindow({ from: window.from ? new Date(window.from) : null, to: window.to ? new Date(window.to) : null, last: window.last }, now)!;
}

/** True when a definition has a rolling window, whose membership changes with the clock. */
export function hasRollingWindow(condition: SegmentCondition): boolean {
  if ('and' in condition) return condition.and.some(hasRollingWindow);
  if ('or' in condition) return condition.or.some(hasRollingWindow);
  if ('not' in condition) return hasRollingWindow(condition.not);
  if ('relations' in condition) return condition.relations.window?.last != null;
  // Strength and RFM segments decay with time, recomputed each hour.
  return 'strength' in condition || 'relationshipSegment' in condition;
}
