import seedrandom from 'seedrandom';
import { addParty, addRelation, createRelationGraph, type RelationFacts, type RelationGraph } from '../analytics/graph/relation-graph';
import { RelationStore } from '../analytics/serving/store';
import type { RelationKind } from '../generated/prisma/enums';

/**
 * A seeded, realistic platform of any size, for `npm run db:seed` and the benchmarks: provider
 * popularity follows a Zipf law, consumer activity is log-normal, consumers mostly use providers
 * of a home group (communities) and often come back to the provider they used last (pairs with
 * many relations); activity grows over two years, peaks in December and dips at weekends. The
 * same options always give the same platform.
 */

export interface SyntheticPlatformOptions {
  relations: number;
  /** Defaults to one consumer per 10 relations. */
  consumers?: number;
  /** Defaults to one provider per 500 relations. */
  providers?: number;
  seed?: string;
}

const PROVIDERS_PER_GROUP = 50;
const HOME_GROUP_SHARE = 0.8;
const RETURN_TO_LAST_PROVIDER = 0.35;
const PROVIDER_ZIPF_EXPONENT = 1;
const CONSUMER_ACTIVITY_SIGMA = 1.2;
const KIND_SHARES: [RelationKind, number][] = [
  ['PURCHASE', 0.55],
  ['SUBSCRIPTION', 0.15],
  ['REVIEW', 0.2],
  ['FAVORITE', 0.1],
];
const CURRENCY_SHARES: [string, number][] = [
  ['EUR', 0.6],
  ['USD', 0.25],
  ['GBP', 0.15],
];
// A fixed window, not the clock, so that the same seed always gives the same graph.
const WINDOW_END = Date.UTC(2026, 0, 1);
const WINDOW_MS = 2 * 365 * 24 * 60 * 60 * 1000;
const CATEGORIES = ['books', 'music', 'games', 'food', 'fitness', 'travel', 'software', 'fashion', 'home', 'learning'];

type Random = () => number;

export interface SyntheticProvider {
  /** Position from 1, which the relations' providerId refers to. */
  id: number;
  group: number;
  currency: string;
  /** Typical price in minor units. */
  price: number;
}

export interface SyntheticPlatform {
  /** Consumers are numbered from 1 to `consumers`; relations refer to them by that number. */
  consumers: number;
  providers: SyntheticProvider[];
  relationCount: number;
  relations(): Generator<RelationFacts>;
}

export function syntheticPlatform(options: SyntheticPlatformOptions): SyntheticPlatform {
  const seed = options.seed ?? 'rapport';
  const random = seedrandom(seed);
  const consumerCount = options.consumers ?? Math.max(1, Math.round(options.relations / 10));
  const providerCount = options.providers ?? Math.max(1, Math.round(options.relations / 500));
  const groupCount = Math.max(1, Math.round(providerCount / PROVIDERS_PER_GROUP));

  const providers = Array.from({ length: providerCount }, (_, index) => makeProvider(index + 1, groupCount, random));
  const popularity = zipfWeights(providerCount, random);
  const anyProvider = new WeightedPicker(popularity);
  const providerInGroup = Array.from({ length: groupCount }, (_, group) => groupPicker(providers, popularity, group));
  const homeGroup = Int32Array.from({ length: consumerCount }, () => Math.floor(random() * groupCount));
  const activity = new WeightedPicker(Float64Array.from({ length: consumerCount }, () => Math.exp(CONSUMER_ACTIVITY_SIGMA * gaussian(random))));

  // Its own random source, so that every iteration yields the same relations.
  function* relations(): Generator<RelationFacts> {
    const random = seedrandom(`${seed}:relations`);
    const lastProvider = new Int32Array(consumerCount).fill(-1);
    for (let index = 0; index < options.relations; index++) {
      const consumer = activity.pick(random);
      const previous = lastProvider[consumer];
      const provider =
        previous >= 0 && random() < RETURN_TO_LAST_PROVIDER
          ? previous
          : random() < HOME_GROUP_SHARE
            ? providerInGroup[homeGroup[consumer]].pick(random)
            : anyProvider.pick(random);
      lastProvider[consumer] = provider;
      yield makeRelation(consumer + 1, providers[provider], random);
    }
  }
  return { consumers: consumerCount, providers, relationCount: options.relations, relations };
}

/** The platform in a RelationStore built in memory, compacted: snapshots of it are what tests and benchmarks compute on. */
export function generateRelationStore(options: SyntheticPlatformOptions): RelationStore {
  const platform = syntheticPlatform(options);
  const store = new RelationStore();
  for (let id = 1; id <= platform.consumers; id++) store.party('consumer', id);
  for (const provider of platform.providers) store.party('provider', provider.id);
  for (const relation of platform.relations()) store.relation(relation);
  store.compact();
  return store;
}

/** The platform as a graphology graph built in memory, for benchmarks against graphology's own algorithms. */
export function generateRelationGraph(options: SyntheticPlatformOptions): RelationGraph {
  const platform = syntheticPlatform(options);
  const graph = createRelationGraph();
  for (let id = 1; id <= platform.consumers; id++) addParty(graph, 'consumer', id);
  for (const provider of platform.providers) addParty(graph, 'provider', provider.id);
  for (const relation of platform.relations()) addRelation(graph, relation);
  return graph;
}

/** The provider's category, shared by its group, so that communities have a theme. */
export function providerCategory(provider: SyntheticProvider): string {
  return CATEGORIES[provider.group % CATEGORIES.length];
}

function makeProvider(id: number, groupCount: number, random: Random): SyntheticProvider {
  return {
    id,
    group: (id - 1) % groupCount,
    currency: pickShare(CURRENCY_SHARES, random),
    price: Math.round(200 * Math.exp(2 * random())) * 10,
  };
}

function makeRelation(consumerId: number, provider: SyntheticProvider, random: Random): RelationFacts {
  const kind = pickShare(KIND_SHARES, random);
  const occurredAt = occurrence(random);
  const relation: RelationFacts = { consumerId, providerId: provider.id, kind, occurredAt, amountMinor: null, currency: null, rating: null };
  if (kind === 'PURCHASE') Object.assign(relation, { amountMinor: Math.round(provider.price * (0.5 + random())), currency: provider.currency });
  if (kind === 'SUBSCRIPTION') Object.assign(relation, { amountMinor: provider.price, currency: provider.currency });
  // Reviews lean positive, as they do on real platforms.
  if (kind === 'REVIEW') relation.rating = 1 + Math.floor(5 * Math.pow(random(), 0.6));
  return relation;
}

/**
 * A time in the window: the density rises linearly towards its end (the platform grows), is
 * highest in December and lowest in summer, and a third lower at weekends. Drawn by rejection
 * from the growth alone.
 */
function occurrence(random: Random): number {
  for (;;) {
    const at = Math.floor(WINDOW_END - WINDOW_MS * (1 - Math.sqrt(random())));
    const date = new Date(at);
    const yearly = 1 + 0.3 * Math.cos((2 * Math.PI * (date.getUTCMonth() - 11)) / 12);
    const weekly = date.getUTCDay() === 0 || date.getUTCDay() === 6 ? 2 / 3 : 1;
    if (random() * 1.3 < yearly * weekly) return at;
  }
}

/** Zipf weights over a random popularity ranking, so that popular providers spread over the groups. */
function zipfWeights(count: number, random: Random): Float64Array {
  const ranks = Int32Array.from({ length: count }, (_, index) => index + 1);
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [ranks[index], ranks[other]] = [ranks[other], ranks[index]];
  }
  return Float64Array.from(ranks, (rank) => rank ** -PROVIDER_ZIPF_EXPONENT);
}

function groupPicker(providers: SyntheticProvider[], popularity: Float64Array, group: number): WeightedPicker {
  const members = providers.map((_, index) => index).filter((index) => providers[index].group === group);
  return new WeightedPicker(Float64Array.from(members, (index) => popularity[index]), Int32Array.from(members));
}

/** Draws an index (or one of `values`) with probability proportional to its weight, by binary search. */
class WeightedPicker {
  private readonly cumulative: Float64Array;

  constructor(
    weights: Float64Array,
    private readonly values?: Int32Array,
  ) {
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    weights.forEach((weight, index) => (this.cumulative[index] = total += weight));
  }

  pick(random: Random): number {
    const target = random() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] <= target) low = middle + 1;
      else high = middle;
    }
    return this.values ? this.values[low] : low;
  }
}

function pickShare<T>(shares: [T, number][], random: Random): T {
  let roll = random();
  for (const [value, share] of shares) {
    roll -= share;
    if (roll < 0) return value;
  }
  return shares[shares.length - 1][0];
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
