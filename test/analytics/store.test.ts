import seedrandom from 'seedrandom';
import { type Adjacency, snapshotAdjacency } from '../../src/analytics/graph/adjacency';
import { shortestPath } from '../../src/analytics/graph/paths';
import { popularProviders, recommendProviders, similarConsumers, similarProviders } from '../../src/analytics/graph/recommendations';
import { ALL_KINDS_MASK, nodeFinder, nodesOf, partyAt } from '../../src/analytics/graph/snapshot';
import { RelationStore } from '../../src/analytics/serving/store';
import { snapshotFromMessage, snapshotMessage } from '../../src/analytics/serving/store-snapshot';
import type { RelationRecord } from '../../src/db/graph-source';
import { canonical, canonicalOfRows, canonicalSnapshot } from '../support/canonical-graph';

// The store on its own: random writes (parties created and deleted, relations recorded and
// removed), compactions at random moments, and after each step of the way the store must equal
// a brute-force aggregation of the rows it was given, and a store built afresh from them.

const KINDS = ['PURCHASE', 'REVIEW', 'SUBSCRIPTION', 'FAVORITE'] as const;
const DAY = 24 * 60 * 60 * 1000;

interface Model {
  consumers: Set<number>;
  providers: Set<number>;
  relations: RelationRecord[];
}

function randomRelation(random: () => number, model: Model): RelationRecord {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const kind = pick([...KINDS]);
  return {
    consumerId: pick([...model.consumers]),
    providerId: pick([...model.providers]),
    kind,
    occurredAt: Date.UTC(2026, 0, 1) + Math.floor(random() * 30) * DAY,
    amountMinor: kind === 'PURCHASE' || kind === 'SUBSCRIPTION' ? 1 + Math.floor(random() * 5000) : null,
    currency: kind === 'PURCHASE' || kind === 'SUBSCRIPTION' ? pick(['EUR', 'USD', 'GBP']) : null,
    rating: kind === 'REVIEW' ? 1 + Math.floor(random() * 5) : null,
  };
}

/** What the projection does on removal: the kind's remaining bounds, read from the rows that remain. */
function remainingBounds(model: Model, removed: RelationRecord) {
  const same = model.relations.filter(
    (relation) => relation.consumerId === removed.consumerId && relation.providerId === removed.providerId && relation.kind === removed.kind,
  );
  if (same.length === 0) return undefined;
  return { firstAt: Math.min(...same.map((r) => r.occurredAt)), lastAt: Math.max(...same.map((r) => r.occurredAt)) };
}

function freshStore(model: Model): RelationStore {
  const store = new RelationStore();
  for (const id of model.consumers) store.party('consumer', id);
  for (const id of model.providers) store.party('provider', id);
  for (const relation of model.relations) store.relation(relation);
  store.compact();
  return store;
}

function pathLength(store: Adjacency, path: number[] | null): number | null {
  path?.slice(1).forEach((step, index) => {
    let linked = false;
    store.forEachNeighbor(path[index], (neighbor) => (linked ||= neighbor === step));
    expect(linked).toBe(true);
  });
  return path && path.length;
}

/** Every per-node answer of a store, by party: what compaction must leave unchanged. */
function answers(store: Adjacency & Pick<RelationStore, 'forEachPair' | 'summary'>, model: Model) {
  const byParty: Record<string, unknown> = {};
  const options = { first: 5, beta: 0.25, reasons: 3 };
  for (const id of model.consumers) {
    const node = store.nodeOf('consumer', id);
    byParty[`c${id}`] = {
      degree: store.degree(node),
      recommended: recommendProviders(store, node, options),
      similar: similarConsumers(store, node, 5),
      // Shortest paths tie: their length is the answer every order must agree on, and each is a path.
      path: pathLength(store, shortestPath(store, node, store.nodeOf('provider', [...model.providers][0]))),
    };
  }
  for (const id of model.providers) {
    const node = store.nodeOf('provider', id);
    const pairs: unknown[] = [];
    store.forEachPair(node, (pair, consumer) => pairs.push([store.idOf(consumer), store.summary(pair, ALL_KINDS_MASK)]));
    byParty[`p${id}`] = { degree: store.degree(node), similar: similarProviders(store, node, 5), pairs: pairs.sort() };
  }
  byParty.popular = popularProviders(store, 5);
  // Sums over neighbours in another order may differ in the last bits: compare to 12 digits.
  return JSON.parse(JSON.stringify(byParty), (_key, value) => (typeof value === 'number' ? Number(value.toPrecision(12)) : value));
}

/** Both ways of listing a node's neighbours agree, over the base, the delta and dead pairs. */
function expectSameNeighbors(graph: Adjacency): void {
  const into = new Int32Array(graph.nodeBound);
  for (let node = 0; node < graph.nodeBound; node++) {
    if (!graph.isNode(node)) continue;
    const visited: number[] = [];
    graph.forEachNeighbor(node, (neighbor) => visited.push(neighbor));
    expect(visited).toHaveLength(graph.degree(node));
    expect([...into.subarray(0, graph.neighborsInto(node, into))]).toEqual(visited);
  }
}

it.each(['store-a', 'store-b', 'store-c'])('equals a brute-force rebuild after random writes and compactions (seed %s)', (seed) => {
  const random = seedrandom(seed);
  const model: Model = { consumers: new Set(), providers: new Set(), relations: [] };
  const store = new RelationStore();
  let nextId = 1;
  let compactions = 0;
  for (let step = 0; step < 1500; step++) {
    const roll = random();
    if (model.consumers.size < 3 || roll < 0.06) {
      model.consumers.add(nextId);
      store.party('consumer', nextId++);
    } else if (model.providers.size < 3 || roll < 0.1) {
      model.providers.add(nextId);
      store.party('provider', nextId++);
    } else if (roll < 0.7 || model.relations.length === 0) {
      const relation = randomRelation(random, model);
      model.relations.push(relation);
      store.relation({ ...relation });
    } else if (roll < 0.95) {
      const [removed] = model.relations.splice(Math.floor(random() * model.relations.length), 1);
      store.removeRelation(removed, remainingBounds(model, removed));
    } else {
      const side = roll < 0.975 ? 'consumer' : 'provider';
      const parties = side === 'consumer' ? model.consumers : model.providers;
      if (parties.size <= 3) continue;
      const id = [...parties][Math.floor(random() * parties.size)];
      parties.delete(id);
      model.relations = model.relations.filter((relation) => (side === 'consumer' ? relation.consumerId : relation.providerId) !== id);
      store.removeParty(side, id);
    }
    if (random() < 0.02) {
      const before = answers(store, model);
      store.compact();
      compactions++;
      expect(answers(store, model)).toEqual(before);
    }
    if (step % 100 === 99) {
      expect(canonical(store)).toEqual(canonicalOfRows([...model.consumers], [...model.providers], model.relations));
      expectSameNeighbors(store);
    }
    expect([store.partyCount('consumer'), store.partyCount('provider')]).toEqual([model.consumers.size, model.providers.size]);
  }
  expect(compactions).toBeGreaterThan(10);
  expect(store.size).toBeGreaterThan(50);
  const oracle = canonicalOfRows([...model.consumers], [...model.providers], model.relations);
  expect(canonical(store)).toEqual(oracle);
  const fresh = freshStore(model);
  expect(canonical(fresh)).toEqual(oracle);
  expect(answers(store, model)).toEqual(answers(fresh, model));
  expect(canonicalSnapshot(store.snapshot('live', 1))).toEqual(canonicalSnapshot(fresh.snapshot('fresh', 1)));
  expectSameNeighbors(snapshotAdjacency(store.snapshot('live', 1)));
});

it('hands out one snapshot per key, unchanged by later writes, in shared memory', () => {
  const relation = (consumerId: number, providerId: number): RelationRecord => ({
    consumerId,
    providerId,
    kind: 'FAVORITE',
    occurredAt: 0,
    amountMinor: null,
    currency: null,
    rating: null,
  });
  const store = new RelationStore();
  store.relation(relation(1, 1));
  store.relation(relation(2, 1));
  const first = store.snapshot('v1', 1);
  expect(store.snapshot('v1', 1)).toBe(first);
  // Read only after the writes: its CSR and counts are assembled on first use, from its parts.
  store.relation(relation(1, 1));
  store.relation(relation(3, 2));
  store.removeParty('consumer', 2);
  const second = store.snapshot('v2', 2);
  expect(canonicalSnapshot(first)).toEqual({ nodes: ['consumer:1', 'consumer:2', 'provider:1'], edges: ['consumer:1-provider:1=0,0,0,1', 'consumer:2-provider:1=0,0,0,1'] });
  expect(canonicalSnapshot(second)).toEqual({ nodes: ['consumer:1', 'consumer:3', 'provider:1', 'provider:2'], edges: ['consumer:1-provider:1=0,0,0,2', 'consumer:3-provider:2=0,0,0,1'] });
  // What crosses to the worker is shared, not copied.
  const message = snapshotMessage(second);
  if (!('parts' in message)) throw new Error('a store snapshot crosses as its parts');
  const { sides, ids, ends, base, countPages } = message.parts;
  const baseArrays = base ? [base.offsets, base.neighbors, base.edges] : [];
  for (const array of [sides, ids, ends.sources, ends.targets, ...baseArrays, ...countPages]) expect(array.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(canonicalSnapshot(snapshotFromMessage(structuredClone(message)))).toEqual(canonicalSnapshot(second));
});

it('finds every party of a snapshot by side and ID, and no party it does not hold', () => {
  const random = seedrandom('finder');
  const model: Model = { consumers: new Set(), providers: new Set(), relations: [] };
  // IDs out of order and with gaps, the same IDs on both sides.
  for (let i = 0; i < 300; i++) model.consumers.add(1 + Math.floor(random() * 5000));
  for (let i = 0; i < 40; i++) model.providers.add(1 + Math.floor(random() * 500));
  for (let i = 0; i < 1000; i++) model.relations.push(randomRelation(random, model));
  const store = freshStore(model);
  const removed = [...model.consumers][0];
  store.removeParty('consumer', removed);
  const snapshot = store.snapshot('finder', 1);
  const find = nodeFinder(snapshot);
  for (let node = 0; node < snapshot.ids.length; node++) {
    const { party, id } = partyAt(snapshot, node);
    expect(find(party, id)).toBe(node);
  }
  expect(Array.from(nodesOf(snapshot, 'provider'), (node) => partyAt(snapshot, node).party)).toEqual(Array(model.providers.size).fill('provider'));
  expect(nodesOf(snapshot, 'consumer').length + nodesOf(snapshot, 'provider').length).toBe(snapshot.ids.length);
  expect(find('consumer', removed)).toBe(-1);
  expect(find('consumer', 5001)).toBe(-1);
  expect(find('provider', 0)).toBe(-1);
});
