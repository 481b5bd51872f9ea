import { type GraphSnapshotVisitor, RELATION_KINDS, type RelationBatch, type RelationRecord } from '../../db/graph-source';
import { PARTIES, type Party } from '../../db/party';
import type { RelationKind } from '../../generated/prisma/enums';
import type { Adjacency } from '../graph/adjacency';
import { CONSUMER, type Csr, PROVIDER, csrFromEdges } from '../graph/csr';
import { type GraphSnapshot, KINDS, sharedInt32 } from '../graph/snapshot';
import type { PairSummary } from '../graph/strength';
import { type Column, gather, resized } from './columns';
import { PagedCounts } from './paged-counts';
import { PairIndex } from './pair-index';
import { SlotIndex } from './slot-index';
import { StoreSnapshot } from './store-snapshot';
import { TimeColumn, type TimeColumnImage } from './time-column';

const KIND_COUNT = KINDS.length;
const KIND_INDEX = new Map(KINDS.map((kind, index) => [kind, index]));
/** The store's kind of each kind index a RelationBatch holds. */
const BATCH_KINDS = Int32Array.from(RELATION_KINDS, (kind) => KIND_INDEX.get(kind)!);
const NONE = -1;
/** Currency codes are bytes (0: none); past this many currencies, a pair's amounts go to the overflow map. */
const MAX_CURRENCY_CODES = 255;
/**
 * Pairs created since the last compaction past which one is scheduled, whatever asks for a
 * snapshot: this many, or as many as the base holds, so compactions while a graph is read from the
 * database cost O(pairs) in all.
 */
const DELTA_COMPACTION_PAIRS = 4096;
/** Room left in the pair and node columns after a build, for the writes that follow it. */
const TRIM_SLACK = 1 / 64;

/** A kind's occurrence bounds on a pair, and how many relations of that kind it has. */
export interface KindBounds {
  count: number;
  firstAt: number;
  lastAt: number;
}

/**
 * A compacted store as plain columns cut to its slots, copied: what a graph file keeps. Degrees,
 * totals, the CSR and the ID indexes are not in it: they follow from the rest.
 */
export interface StoreImage {
  /** The kinds in the order of the per-kind columns and of `counts`' rows. */
  kinds: string[];
  sides: Uint8Array;
  ids: Int32Array;
  consumerOf: Int32Array;
  providerOf: Int32Array;
  /** Relations per pair and kind, `kinds.length` per pair. */
  counts: Int32Array;
  firstAt: (TimeColumnImage | null)[];
  lastAt: (TimeColumnImage | null)[];
  amounts: (Float64Array | null)[];
  currencyCodes: (Uint8Array | null)[];
  ratingSums: (Int32Array | null)[];
  ratingCounts: (Int32Array | null)[];
  /** Currencies by code − 1. */
  currencies: string[];
  /** [pair * kinds + kind, [currency, amount][]] of the amounts beyond a pair's first currency. */
  extraAmounts: [number, [string, number][]][];
}

/**
 * The live relation graph in typed arrays, the projection's only copy of it. Parties sit in dense
 * node slots (side, ID, alive, degree); each consumer–provider pair with relations sits in a pair
 * slot holding its aggregates per kind: counts, first and last occurrence, amounts per currency,
 * rating sums and counts (columns a kind never uses are never allocated). Adjacency is a CSR
 * `base` over the slots as of the last compaction plus a `delta` of pairs created since, linked
 * per node. Deleted parties and pairs are marked dead and dropped at the next compaction, which
 * renumbers the slots: after one, pair slot p is edge p of the snapshot taken from it.
 */
export class RelationStore implements Adjacency, GraphSnapshotVisitor {
  // ---- Nodes. sides and ids are in shared memory: snapshots hand them to the worker as they are.
  private nodeSlots = 0;
  private sides: Uint8Array = new Uint8Array(new SharedArrayBuffer(1024));
  private ids = sharedInt32(1024);
  private alive = new Uint8Array(1024);
  private degrees = new Int32Array(1024);
  private deltaHead = new Int32Array(1024).fill(NONE);
  private slots: Record<Party, SlotIndex> = { consumer: new SlotIndex(), provider: new SlotIndex() };
  private deadNodes = 0;

  // ---- Pairs.
  private pairSlots = 0;
  private pairCapacity = 1024;
  /** A pair's ends, in shared memory: a snapshot hands them to the worker to build its CSR from. */
  private consumerOf = sharedInt32(1024);
  private providerOf = sharedInt32(1024);
  private totals = new Int32Array(1024);
  /** Relations per pair and kind; snapshots hold its pages, a write copies the one it changes. */
  private counts = new PagedCounts(KIND_COUNT, 1024);
  /** Per kind, allocated on the kind's first relation, amount or rating. */
  private firstAt: (TimeColumn | null)[] = KINDS.map(() => null);
  private lastAt: (TimeColumn | null)[] = KINDS.map(() => null);
  private amounts: (Float64Array | null)[] = KINDS.map(() => null);
  private currencyCodes: (Uint8Array | null)[] = KINDS.map(() => null);
  private ratingSums: (Int32Array | null)[] = KINDS.map(() => null);
  private ratingCounts: (Int32Array | null)[] = KINDS.map(() => null);
  /** Amounts of a pair and kind in currencies beyond its first, by pair * KIND_COUNT + kind. */
  private extraAmounts = new Map<number, Map<string, number>>();
  private readonly currencies: string[] = [];
  private readonly currencyCode = new Map<string, number>();
  private lastCurrency = '';
  private lastCurrencyCode = 0;
  private deadPairs = 0;

  // ---- Adjacency: the base CSR (immutable, shared with snapshots) and the delta since.
  private base: Csr = csrFromEdges(0, new Int32Array(0), new Int32Array(0), sharedInt32);
  private basePairs = 0;
  private nextOfConsumer = new Int32Array(1024);
  private nextOfProvider = new Int32Array(1024);
  /** The delta's pairs by their two ends: finding a pair never walks a long delta list. */
  private deltaPairs = new PairIndex();
  /** Set by any change to the nodes or pairs (not their aggregates): the next snapshot compacts. */
  private structural = false;
  private compactionScheduled = false;
  /** Pair slots reserved for a build under way (from reserve() to trim()): it compacts once, at its end, not as its delta grows. */
  private reservedPairs = 0;
  private last: GraphSnapshot | undefined;

  // ---- Reading.

  get nodeBound(): number {
    return this.nodeSlots;
  }

  /** Parties held, alive. */
  get order(): number {
    return this.nodeSlots - this.deadNodes;
  }

  /** Parties of one side held, alive. */
  partyCount(side: Party): number {
    return this.slots[side].size;
  }

  /** Pairs with relations. */
  get size(): number {
    return this.pairSlots - this.deadPairs;
  }

  nodeOf(party: Party, id: number): number {
    return this.slots[party].get(id);
  }

  isNode(node: number): boolean {
    return node >= 0 && node < this.nodeSlots && this.alive[node] === 1;
  }

  sideOf(node: number): number {
    return this.sides[node];
  }

  idOf(node: number): number {
    return this.ids[node];
  }

  degree(node: number): number {
    return this.degrees[node];
  }

  forEachNeighbor(node: number, visit: (neighbor: number) => void): void {
    this.forEachPair(node, (_pair, neighbor) => visit(neighbor));
  }

  neighborsInto(node: number, into: Int32Array): number {
    let count = 0;
    const { offsets, neighbors, edges } = this.base;
    if (node < this.base.nodeCount) {
      for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) if (this.totals[edges[entry]] > 0) into[count++] = neighbors[entry];
    }
    for (let pair = this.deltaHead[node]; pair !== NONE; pair = this.nextInDelta(pair, node)) {
      if (this.totals[pair] > 0) into[count++] = this.otherEnd(pair, node);
    }
    return count;
  }

  /** Each live pair of `node`, with the node at its other end. */
  forEachPair(node: number, visit: (pair: number, neighbor: number) => void): void {
    const { offsets, neighbors, edges } = this.base;
    if (node < this.base.nodeCount) {
      for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
        if (this.totals[edges[entry]] > 0) visit(edges[entry], neighbors[entry]);
      }
    }
    for (let pair = this.deltaHead[node]; pair !== NONE; pair = this.nextInDelta(pair, node)) {
      if (this.totals[pair] > 0) visit(pair, this.otherEnd(pair, node));
    }
  }

  /** The pair slot of a consumer and a provider, or −1 when they have no relation. */
  pairOf(consumerId: number, providerId: number): number {
    const consumer = this.nodeOf('consumer', consumerId);
    const provider = this.nodeOf('provider', providerId);
    if (consumer === NONE || provider === NONE) return NONE;
    const pair = this.findPair(consumer, provider);
    return pair !== NONE && this.totals[pair] > 0 ? pair : NONE;
  }

  consumerOfPair(pair: number): number {
    return this.consumerOf[pair];
  }

  providerOfPair(pair: number): number {
    return this.providerOf[pair];
  }

  /** The relations of one kind on a consumer–provider pair, or undefined without any. */
  kindBounds(consumerId: number, providerId: number, kind: RelationKind): KindBounds | undefined {
    const pair = this.pairOf(consumerId, providerId);
    const index = KIND_INDEX.get(kind)!;
    if (pair === NONE || this.counts.get(pair, index) === 0) return undefined;
    return { count: this.counts.get(pair, index), firstAt: this.firstAt[index]!.get(pair), lastAt: this.lastAt[index]!.get(pair) };
  }

  /** A pair's aggregates over the kinds of `mask` (a mask over KINDS). */
  summary(pair: number, mask: number): PairSummary {
    const summary: PairSummary = { count: 0, countByKind: {}, firstAt: Infinity, lastAt: -Infinity, amounts: {}, meanRating: null };
    let ratingSum = 0;
    let ratingCount = 0;
    for (let kind = 0; kind < KIND_COUNT; kind++) {
      const count = this.counts.get(pair, kind);
      if (!(mask & (1 << kind)) || count === 0) continue;
      summary.count += count;
      summary.countByKind[KINDS[kind]] = count;
      summary.firstAt = Math.min(summary.firstAt, this.firstAt[kind]!.get(pair));
      summary.lastAt = Math.max(summary.lastAt, this.lastAt[kind]!.get(pair));
      this.forEachAmount(pair, kind, (currency, amount) => {
        summary.amounts[currency] = (summary.amounts[currency] ?? 0) + amount;
      });
      ratingSum += this.ratingSums[kind]?.[pair] ?? 0;
      ratingCount += this.ratingCounts[kind]?.[pair] ?? 0;
    }
    summary.meanRating = ratingCount > 0 ? ratingSum / ratingCount : null;
    return summary;
  }

  /**
   * The graph as it is now, labelled `key` and `version`; the same object until the key changes.
   * Its edge e is pair slot e. Only parties or pairs gone make it compact here (renumbering the
   * slots); new ones are handed over as the pairs' ends, for the reader to build its CSR from.
   */
  snapshot(key: string, version: number): GraphSnapshot {
    if (this.last?.key === key) return this.last;
    if (this.deadNodes > 0 || this.deadPairs > 0) this.compact();
    const pairs = this.pairSlots;
    this.last = new StoreSnapshot({
      key,
      version,
      sides: this.sides.subarray(0, this.nodeSlots),
      ids: this.ids.subarray(0, this.nodeSlots),
      ends: { sources: this.consumerOf.subarray(0, pairs), targets: this.providerOf.subarray(0, pairs) },
      base: this.structural ? null : this.base,
      countPages: this.counts.hold(),
      pairCount: pairs,
    });
    return this.last;
  }

  /**
   * Bytes of the typed arrays the store holds (their whole capacity, the base CSR included): what
   * the graph costs in memory beyond a few small maps (party IDs far beyond the others, amounts in
   * a pair's second currency, times far from 2000).
   */
  memoryBytes(): number {
    const columns: (ArrayBufferView | null)[] = [
      this.sides, this.ids, this.alive, this.degrees, this.deltaHead,
      this.consumerOf, this.providerOf, this.totals, this.nextOfConsumer, this.nextOfProvider,
      this.base.offsets, this.base.neighbors, this.base.edges,
      ...this.amounts, ...this.currencyCodes, ...this.ratingSums, ...this.ratingCounts,
    ];
    const times = [...this.firstAt, ...this.lastAt].reduce((sum, column) => sum + (column?.byteLength ?? 0), 0);
    const indexes = this.slots.consumer.byteLength + this.slots.provider.byteLength + this.deltaPairs.byteLength;
    return columns.reduce((sum, column) => sum + (column?.byteLength ?? 0), 0) + this.counts.byteLength + times + indexes;
  }

  // ---- Writing. The store reads a database snapshot as its visitor (readGraphSnapshot).

  party(side: Party, id: number): number {
    const existing = this.slots[side].get(id);
    if (existing !== NONE) return existing;
    const node = this.nodeSlots++;
    if (node === this.ids.length) this.growNodes(Math.ceil(node * 1.5));
    this.sides[node] = PARTIES.indexOf(side);
    this.ids[node] = id;
    this.alive[node] = 1;
    this.slots[side].set(id, node);
    this.structural = true;
    return node;
  }

  /** Room for `newPairs` more pairs (and the slack kept after a build), made at once instead of grown as they come. */
  reserve(newPairs: number): void {
    const pairs = this.pairSlots + newPairs;
    if (pairs > this.pairCapacity) this.resizePairs(withSlack(pairs));
    const deltaPairs = pairs - this.basePairs;
    if (deltaPairs > this.nextOfConsumer.length) {
      this.nextOfConsumer = resized(this.nextOfConsumer, deltaPairs);
      this.nextOfProvider = resized(this.nextOfProvider, deltaPairs);
    }
    if (this.deltaPairs.size === 0) this.deltaPairs = new PairIndex(deltaPairs);
    this.reservedPairs = pairs;
  }

  relation(relation: RelationRecord): void {
    const pair = this.pairFor(this.party('consumer', relation.consumerId), this.party('provider', relation.providerId));
    this.aggregate(pair, KIND_INDEX.get(relation.kind)!, relation.occurredAt, relation.amountMinor, relation.currency, relation.rating);
  }

  relations(batch: RelationBatch): void {
    const { consumerIds, providerIds, kinds, occurredAt, amounts, currencies, currencyNames, ratings } = batch;
    for (let row = 0; row < batch.size; row++) {
      const pair = this.pairFor(this.party('consumer', consumerIds[row]), this.party('provider', providerIds[row]));
      const amount = amounts[row];
      const rating = ratings[row];
      const currency = currencies[row] === 0 ? null : currencyNames[currencies[row] - 1];
      this.aggregate(pair, BATCH_KINDS[kinds[row]], occurredAt[row], Number.isNaN(amount) ? null : amount, currency, Number.isNaN(rating) ? null : rating);
    }
  }

  /** Adds one relation of `kind` to the aggregates of `pair`. */
  private aggregate(pair: number, kind: number, time: number, amountMinor: number | null, currency: string | null, rating: number | null): void {
    const firstAt = (this.firstAt[kind] ??= new TimeColumn(this.pairCapacity));
    const lastAt = (this.lastAt[kind] ??= new TimeColumn(this.pairCapacity));
    const count = this.counts.get(pair, kind);
    if (count === 0 || time < firstAt.get(pair)) firstAt.set(pair, time);
    if (count === 0 || time > lastAt.get(pair)) lastAt.set(pair, time);
    this.counts.set(pair, kind, count + 1);
    this.totals[pair]++;
    if (amountMinor !== null && currency !== null) this.addAmount(pair, kind, currency, amountMinor);
    if (rating !== null) {
      (this.ratingSums[kind] ??= new Int32Array(this.pairCapacity))[pair] += rating;
      (this.ratingCounts[kind] ??= new Int32Array(this.pairCapacity))[pair]++;
    }
  }

  /**
   * Takes a relation out of its pair's aggregates; the pair goes when its last relation does.
   * `remaining` gives the kind's new first and last occurrence when relations of it remain.
   */
  removeRelation(relation: RelationRecord, remaining?: { firstAt: number; lastAt: number }): void {
    const pair = this.pairOf(relation.consumerId, relation.providerId);
    const kind = KIND_INDEX.get(relation.kind)!;
    const count = pair === NONE ? 0 : this.counts.get(pair, kind);
    if (count === 0) return;
    this.counts.set(pair, kind, count - 1);
    this.totals[pair]--;
    if (relation.amountMinor !== null && relation.currency !== null) this.addAmount(pair, kind, relation.currency, -relation.amountMinor);
    if (relation.rating !== null) {
      this.ratingSums[kind]![pair] -= relation.rating;
      this.ratingCounts[kind]![pair]--;
    }
    if (count > 1 && remaining) {
      this.firstAt[kind]!.set(pair, remaining.firstAt);
      this.lastAt[kind]!.set(pair, remaining.lastAt);
    }
    if (this.totals[pair] === 0) this.pairDied(pair);
  }

  /** The party goes with every relation it had. */
  removeParty(side: Party, id: number): void {
    const node = this.slots[side].get(id);
    if (node === NONE) return;
    this.forEachPair(node, (pair) => {
      this.clearPair(pair);
      this.pairDied(pair);
    });
    this.alive[node] = 0;
    this.slots[side].delete(id);
    this.deadNodes++;
    this.structural = true;
  }

  /** Drops dead slots and folds the delta into a new base; O(nodes + pairs) over typed arrays. */
  compact(): void {
    this.compactionScheduled = false;
    if (!this.structural) return;
    if (this.deadNodes > 0 || this.deadPairs > 0) this.renumber();
    const pairs = this.pairSlots;
    this.base = csrFromEdges(this.nodeSlots, this.consumerOf.subarray(0, pairs), this.providerOf.subarray(0, pairs), sharedInt32);
    this.basePairs = pairs;
    this.deltaHead.fill(NONE, 0, this.nodeSlots);
    this.nextOfConsumer = new Int32Array(1024);
    this.nextOfProvider = new Int32Array(1024);
    this.deltaPairs = new PairIndex();
    this.structural = false;
  }

  /** Gives back the room grown for a build: columns shrink to what they hold, plus a little. */
  trim(): void {
    // A build that reserved room compacted nothing while it read: its delta, reserved index included, folds into the base now.
    if (this.reservedPairs > 0) this.compact();
    this.reservedPairs = 0;
    // A build that reserved its exact pair count has its size already: copying every column again would only cost time.
    if (this.pairCapacity > withSlack(this.pairSlots)) this.resizePairs(withSlack(this.pairSlots));
    this.growNodes(withSlack(this.nodeSlots));
    this.slots.consumer.trim();
    this.slots.provider.trim();
  }

  // ---- Persisting (graph-file.ts): the store as columns, and back.

  /** The store as it is now, compacted first, as a copy that later writes do not touch. */
  image(): StoreImage {
    this.compact();
    const pairs = this.pairSlots;
    const cut = <T extends Column>(column: T | null) => (column ? (column.slice(0, pairs) as T) : null);
    return {
      kinds: [...KINDS],
      sides: this.sides.slice(0, this.nodeSlots),
      ids: this.ids.slice(0, this.nodeSlots),
      consumerOf: this.consumerOf.slice(0, pairs),
      providerOf: this.providerOf.slice(0, pairs),
      counts: this.counts.flat(pairs),
      firstAt: this.firstAt.map((column) => column && column.image(pairs)),
      lastAt: this.lastAt.map((column) => column && column.image(pairs)),
      amounts: this.amounts.map(cut),
      currencyCodes: this.currencyCodes.map(cut),
      ratingSums: this.ratingSums.map(cut),
      ratingCounts: this.ratingCounts.map(cut),
      currencies: [...this.currencies],
      extraAmounts: [...this.extraAmounts].map(([cell, amounts]) => [cell, [...amounts]]),
    };
  }

  /** A store holding `image` (as `image()` made it), with room for writes to follow. */
  static fromImage(image: StoreImage): RelationStore {
    const store = new RelationStore();
    store.restore(image);
    return store;
  }

  private restore(image: StoreImage): void {
    const nodes = image.ids.length;
    const pairs = image.consumerOf.length;
    if (image.kinds.join() !== KINDS.join()) throw new Error(`the image holds the kinds ${image.kinds.join(', ')}, not ${KINDS.join(', ')}`);
    if (image.sides.length !== nodes || image.providerOf.length !== pairs || image.counts.length !== pairs * KIND_COUNT) {
      throw new Error('the image\'s columns disagree on how many nodes and pairs it holds');
    }
    const nodeCapacity = withSlack(nodes);
    const pairCapacity = withSlack(pairs);
    this.nodeSlots = nodes;
    this.sides = resized(image.sides, nodeCapacity, true);
    this.ids = resized(image.ids, nodeCapacity, true);
    this.alive = new Uint8Array(nodeCapacity).fill(1, 0, nodes);
    this.deltaHead = new Int32Array(nodeCapacity).fill(NONE);
    this.indexSlots();

    this.pairSlots = pairs;
    this.pairCapacity = pairCapacity;
    this.consumerOf = resized(image.consumerOf, pairCapacity, true);
    this.providerOf = resized(image.providerOf, pairCapacity, true);
    this.degrees = new Int32Array(nodeCapacity);
    for (let pair = 0; pair < pairs; pair++) {
      const consumer = this.consumerOf[pair];
      const provider = this.providerOf[pair];
      if (this.sides[consumer] !== CONSUMER || this.sides[provider] !== PROVIDER) throw new Error(`pair ${pair} does not join a consumer to a provider`);
      this.degrees[consumer]++;
      this.degrees[provider]++;
    }
    this.counts = PagedCounts.fromFlat(KIND_COUNT, image.counts, pairCapacity);
    this.totals = new Int32Array(pairCapacity);
    for (let pair = 0; pair < pairs; pair++) {
      for (let kind = 0; kind < KIND_COUNT; kind++) this.totals[pair] += image.counts[pair * KIND_COUNT + kind];
    }
    const grown = <T extends Column>(column: T | null) => column && resized(column, pairCapacity);
    this.firstAt = image.firstAt.map((column) => column && TimeColumn.fromImage(column, pairCapacity));
    this.lastAt = image.lastAt.map((column) => column && TimeColumn.fromImage(column, pairCapacity));
    this.amounts = image.amounts.map(grown);
    this.currencyCodes = image.currencyCodes.map(grown);
    this.ratingSums = image.ratingSums.map(grown);
    this.ratingCounts = image.ratingCounts.map(grown);
    for (const currency of image.currencies) this.codeOf(currency);
    this.extraAmounts = new Map(image.extraAmounts.map(([cell, amounts]) => [cell, new Map(amounts)]));

    this.base = csrFromEdges(nodes, this.consumerOf.subarray(0, pairs), this.providerOf.subarray(0, pairs), sharedInt32);
    this.basePairs = pairs;
  }

  // ---- Internals.

  /** The pair of two nodes, alive or dead (a dead one comes back), or a new one. */
  private pairFor(consumer: number, provider: number): number {
    const found = this.findPair(consumer, provider);
    if (found !== NONE) {
      if (this.totals[found] === 0) this.pairRevived(found);
      return found;
    }
    const pair = this.pairSlots++;
    if (pair === this.pairCapacity) this.resizePairs(Math.ceil(pair * 1.5));
    this.consumerOf[pair] = consumer;
    this.providerOf[pair] = provider;
    const slot = pair - this.basePairs;
    if (slot === this.nextOfConsumer.length) {
      this.nextOfConsumer = resized(this.nextOfConsumer, slot * 2);
      this.nextOfProvider = resized(this.nextOfProvider, slot * 2);
    }
    this.nextOfConsumer[slot] = this.deltaHead[consumer];
    this.nextOfProvider[slot] = this.deltaHead[provider];
    this.deltaHead[consumer] = pair;
    this.deltaHead[provider] = pair;
    this.degrees[consumer]++;
    this.degrees[provider]++;
    this.deltaPairs.add(pair, consumer, provider);
    this.structural = true;
    if (pair >= this.reservedPairs && slot >= Math.max(DELTA_COMPACTION_PAIRS, this.basePairs)) this.scheduleCompaction();
    return pair;
  }

  /** Scans the base row of whichever end has fewer entries, then looks in the delta. */
  private findPair(consumer: number, provider: number): number {
    const { offsets, neighbors, edges, nodeCount } = this.base;
    if (consumer < nodeCount && provider < nodeCount) {
      const consumerRow = offsets[consumer + 1] - offsets[consumer];
      const providerRow = offsets[provider + 1] - offsets[provider];
      const from = consumerRow <= providerRow ? consumer : provider;
      const to = from === consumer ? provider : consumer;
      for (let entry = offsets[from]; entry < offsets[from + 1]; entry++) if (neighbors[entry] === to) return edges[entry];
    }
    return this.deltaPairs.find(consumer, provider);
  }

  private nextInDelta(pair: number, node: number): number {
    const slot = pair - this.basePairs;
    return this.consumerOf[pair] === node ? this.nextOfConsumer[slot] : this.nextOfProvider[slot];
  }

  private otherEnd(pair: number, node: number): number {
    return this.consumerOf[pair] === node ? this.providerOf[pair] : this.consumerOf[pair];
  }

  private pairDied(pair: number): void {
    this.degrees[this.consumerOf[pair]]--;
    this.degrees[this.providerOf[pair]]--;
    this.deadPairs++;
    this.structural = true;
  }

  private pairRevived(pair: number): void {
    this.degrees[this.consumerOf[pair]]++;
    this.degrees[this.providerOf[pair]]++;
    this.deadPairs--;
    this.structural = true;
  }

  private clearPair(pair: number): void {
    for (let kind = 0; kind < KIND_COUNT; kind++) {
      this.counts.set(pair, kind, 0);
      if (this.amounts[kind]) this.amounts[kind]![pair] = 0;
      if (this.currencyCodes[kind]) this.currencyCodes[kind]![pair] = 0;
      if (this.ratingSums[kind]) this.ratingSums[kind]![pair] = 0;
      if (this.ratingCounts[kind]) this.ratingCounts[kind]![pair] = 0;
      this.extraAmounts.delete(pair * KIND_COUNT + kind);
    }
    this.totals[pair] = 0;
  }

  /** Adds `amount` (negative to take it out) to a pair's amount of one kind in one currency. */
  private addAmount(pair: number, kind: number, currency: string, amount: number): void {
    const codes = (this.currencyCodes[kind] ??= new Uint8Array(this.pairCapacity));
    const sums = (this.amounts[kind] ??= new Float64Array(this.pairCapacity));
    const code = this.codeOf(currency);
    if (codes[pair] === 0 && code !== 0) {
      codes[pair] = code;
      sums[pair] = amount;
    } else if (codes[pair] === code && code !== 0) {
      sums[pair] += amount;
    } else {
      this.addExtraAmount(pair * KIND_COUNT + kind, currency, amount);
      return;
    }
    if (sums[pair] === 0) this.promoteExtraAmount(pair, kind);
  }

  private addExtraAmount(cell: number, currency: string, amount: number): void {
    let extra = this.extraAmounts.get(cell);
    if (!extra) this.extraAmounts.set(cell, (extra = new Map()));
    const sum = (extra.get(currency) ?? 0) + amount;
    if (sum === 0) extra.delete(currency);
    else extra.set(currency, sum);
    if (extra.size === 0) this.extraAmounts.delete(cell);
  }

  /** The first currency's sum reached 0: another currency of the pair, if any, takes its place. */
  private promoteExtraAmount(pair: number, kind: number): void {
    const cell = pair * KIND_COUNT + kind;
    const extra = this.extraAmounts.get(cell);
    const next = extra && [...extra].find(([currency]) => this.codeOf(currency) !== 0);
    this.currencyCodes[kind]![pair] = next ? this.codeOf(next[0]) : 0;
    this.amounts[kind]![pair] = next ? next[1] : 0;
    if (next) this.addExtraAmount(cell, next[0], -next[1]);
  }

  private forEachAmount(pair: number, kind: number, visit: (currency: string, amount: number) => void): void {
    const code = this.currencyCodes[kind]?.[pair] ?? 0;
    if (code !== 0) visit(this.currencies[code - 1], this.amounts[kind]![pair]);
    const extra = this.extraAmounts.get(pair * KIND_COUNT + kind);
    if (extra) for (const [currency, amount] of extra) visit(currency, amount);
  }

  /** The byte code of a currency, or 0 once there are more currencies than codes. */
  private codeOf(currency: string): number {
    // Rows from the database bring a new string each; comparing to the last one skips hashing it.
    if (currency === this.lastCurrency) return this.lastCurrencyCode;
    let code = this.currencyCode.get(currency);
    if (code === undefined) {
      this.currencies.push(currency);
      code = this.currencies.length <= MAX_CURRENCY_CODES ? this.currencies.length : 0;
      this.currencyCode.set(currency, code);
    }
    this.lastCurrency = currency;
    this.lastCurrencyCode = code;
    return code;
  }

  /** Compaction soon, off the write that asked for it, so a long delta never slows per-node reads. */
  private scheduleCompaction(): void {
    if (this.compactionScheduled) return;
    this.compactionScheduled = true;
    setImmediate(() => this.compactionScheduled && this.compact());
  }

  /** Moves the live nodes and pairs to the front, in their order, and drops the rest. */
  private renumber(): void {
    const nodeMap = new Int32Array(this.nodeSlots).fill(NONE);
    let nodes = 0;
    for (let node = 0; node < this.nodeSlots; node++) if (this.alive[node]) nodeMap[node] = nodes++;
    const keptNodes = new Int32Array(nodes);
    for (let node = 0; node < this.nodeSlots; node++) if (nodeMap[node] !== NONE) keptNodes[nodeMap[node]] = node;
    const keptPairs: number[] = [];
    for (let pair = 0; pair < this.pairSlots; pair++) if (this.totals[pair] > 0) keptPairs.push(pair);
    const kept = Int32Array.from(keptPairs);

    const capacity = Math.max(1024, Math.ceil(nodes * 1.125));
    this.sides = gather(this.sides, keptNodes, 1, capacity, true);
    this.ids = gather(this.ids, keptNodes, 1, capacity, true);
    this.degrees = gather(this.degrees, keptNodes, 1, capacity);
    this.alive = new Uint8Array(capacity).fill(1, 0, nodes);
    this.deltaHead = new Int32Array(capacity).fill(NONE);
    this.nodeSlots = nodes;
    this.deadNodes = 0;
    this.indexSlots();

    const pairCapacity = Math.max(1024, Math.ceil(kept.length * 1.125));
    const extra = new Map<number, Map<string, number>>();
    kept.forEach((pair, slot) => {
      for (let kind = 0; kind < KIND_COUNT; kind++) {
        const amounts = this.extraAmounts.get(pair * KIND_COUNT + kind);
        if (amounts) extra.set(slot * KIND_COUNT + kind, amounts);
      }
    });
    this.extraAmounts = extra;
    this.consumerOf = gather(this.consumerOf, kept, 1, pairCapacity, true);
    this.providerOf = gather(this.providerOf, kept, 1, pairCapacity, true);
    for (let pair = 0; pair < kept.length; pair++) {
      this.consumerOf[pair] = nodeMap[this.consumerOf[pair]];
      this.providerOf[pair] = nodeMap[this.providerOf[pair]];
    }
    this.totals = gather(this.totals, kept, 1, pairCapacity);
    this.counts = this.counts.gathered(kept, pairCapacity);
    this.replaceKindColumns((column) => gather(column, kept, 1, pairCapacity), (column) => column.gathered(kept, pairCapacity));
    this.pairSlots = kept.length;
    this.pairCapacity = pairCapacity;
    this.deadPairs = 0;
  }

  /** The ID indexes of both sides, rebuilt from the node columns. */
  private indexSlots(): void {
    this.slots = { consumer: new SlotIndex(), provider: new SlotIndex() };
    for (let node = 0; node < this.nodeSlots; node++) {
      const side = PARTIES[this.sides[node]];
      if (!side) throw new Error(`node ${node} has no side ${this.sides[node]}`);
      this.slots[side].set(this.ids[node], node);
    }
  }

  private growNodes(capacity: number): void {
    this.sides = resized(this.sides, capacity, true);
    this.ids = resized(this.ids, capacity, true);
    this.alive = resized(this.alive, capacity);
    this.degrees = resized(this.degrees, capacity);
    const heads = resized(this.deltaHead, capacity);
    if (capacity > this.deltaHead.length) heads.fill(NONE, this.deltaHead.length);
    this.deltaHead = heads;
  }

  private resizePairs(capacity: number): void {
    this.consumerOf = resized(this.consumerOf, capacity, true);
    this.providerOf = resized(this.providerOf, capacity, true);
    this.totals = resized(this.totals, capacity);
    this.counts.resize(capacity);
    this.replaceKindColumns((column) => resized(column, capacity), (column) => column.resized(capacity));
    this.pairCapacity = capacity;
  }

  /** Replaces every allocated per-kind column by `replace(column)` (`replaceTimes` for times). */
  private replaceKindColumns(replace: <T extends Column>(column: T) => T, replaceTimes: (column: TimeColumn) => TimeColumn): void {
    const each = <T extends Column>(columns: (T | null)[]) => columns.map((column) => column && replace(column));
    this.firstAt = this.firstAt.map((column) => column && replaceTimes(column));
    this.lastAt = this.lastAt.map((column) => column && replaceTimes(column));
    this.amounts = each(this.amounts);
    this.currencyCodes = each(this.currencyCodes);
    this.ratingSums = each(this.ratingSums);
    this.ratingCounts = each(this.ratingCounts);
  }
}

/** Room for `count` slots and the writes that follow a build: a little more, never less than 1024. */
function withSlack(count: number): number {
  return Math.max(1024, Math.ceil(count * (1 + TRIM_SLACK)));
}
