import { nodeKey, partyOf } from '../../src/analytics/graph/adjacency';
import { CONSUMER } from '../../src/analytics/graph/csr';
import { type GraphSnapshot, KINDS, edgeEnds, partyAt } from '../../src/analytics/graph/snapshot';
import type { RelationStore } from '../../src/analytics/serving/store';
import type { RelationRecord } from '../../src/db/graph-source';

/** One kind's aggregates on a pair, as both the store and a brute-force read of the rows give them. */
interface KindAggregate {
  count: number;
  firstAt: number;
  lastAt: number;
  amounts: Record<string, number>;
  meanRating: number | null;
}

/** A store's parties and per-kind pair aggregates, keyed by node keys: equal for equal graphs whatever the slot order. */
export function canonical(store: RelationStore) {
  const nodes: string[] = [];
  const edges: Record<string, Record<string, KindAggregate>> = {};
  for (let node = 0; node < store.nodeBound; node++) {
    if (!store.isNode(node)) continue;
    const { party, id } = partyOf(store, node);
    nodes.push(nodeKey(party, id));
    if (store.sideOf(node) !== CONSUMER) continue;
    store.forEachPair(node, (pair, provider) => {
      const kinds: Record<string, KindAggregate> = {};
      KINDS.forEach((kind, index) => {
        const { count, firstAt, lastAt, amounts, meanRating } = store.summary(pair, 1 << index);
        if (count > 0) kinds[kind] = { count, firstAt, lastAt, amounts, meanRating };
      });
      edges[`${nodeKey(party, id)}-${nodeKey('provider', store.idOf(provider))}`] = kinds;
    });
  }
  return { nodes: nodes.sort(), edges };
}

/** The same, computed by brute force from parties and relation rows: the oracle the store is checked against. */
export function canonicalOfRows(consumers: number[], providers: number[], relations: RelationRecord[]) {
  const nodes = [...consumers.map((id) => nodeKey('consumer', id)), ...providers.map((id) => nodeKey('provider', id))].sort();
  const sums: Record<string, Record<string, KindAggregate & { ratingSum: number; ratingCount: number }>> = {};
  for (const relation of relations) {
    const pair = (sums[`${nodeKey('consumer', relation.consumerId)}-${nodeKey('provider', relation.providerId)}`] ??= {});
    const kind = (pair[relation.kind] ??= { count: 0, firstAt: Infinity, lastAt: -Infinity, amounts: {}, meanRating: null, ratingSum: 0, ratingCount: 0 });
    kind.count++;
    kind.firstAt = Math.min(kind.firstAt, relation.occurredAt);
    kind.lastAt = Math.max(kind.lastAt, relation.occurredAt);
    if (relation.amountMinor !== null && relation.currency !== null) {
      kind.amounts[relation.currency] = (kind.amounts[relation.currency] ?? 0) + relation.amountMinor;
      if (kind.amounts[relation.currency] === 0) delete kind.amounts[relation.currency];
    }
    if (relation.rating !== null) {
      kind.ratingSum += relation.rating;
      kind.ratingCount++;
    }
  }
  const edges = Object.fromEntries(
    Object.entries(sums).map(([pair, kinds]) => [
      pair,
      Object.fromEntries(
        Object.entries(kinds).map(([kind, { ratingSum, ratingCount, ...aggregate }]) => [
          kind,
          { ...aggregate, meanRating: ratingCount > 0 ? ratingSum / ratingCount : null },
        ]),
      ),
    ]),
  );
  return { nodes, edges };
}

/** A snapshot's parties and per-kind edge counts, keyed by their ends: equal for equal graphs whatever the node order. */
export function canonicalSnapshot(snapshot: GraphSnapshot) {
  const name = (node: number) => {
    const { party, id } = partyAt(snapshot, node);
    return `${party}:${id}`;
  };
  const nodes = Array.from(snapshot.ids, (_id, node) => name(node)).sort();
  const { sources, targets } = edgeEnds(snapshot.csr);
  const edges = Array.from(sources, (source, edge) => {
    const counts = KINDS.map((_kind, kind) => snapshot.kindCounts[edge * KINDS.length + kind]).join(',');
    return `${[name(source), name(targets[edge])].sort().join('-')}=${counts}`;
  }).sort();
  return { nodes, edges };
}
