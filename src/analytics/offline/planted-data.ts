import seedrandom from 'seedrandom';

/**
 * A seeded synthetic data set with a planted preference structure, to check offline that the
 * recommender finds structure that is there: consumers belong to taste groups, each group prefers
 * its own niche providers, and a head of globally popular providers draws everyone a little, so
 * that popularity is a real but weaker baseline. Pure: the same options give the same rows.
 */

export interface PlantedOptions {
  consumers: number;
  providers: number;
  groups: number;
  /** Providers in the popular head; the others are split evenly among the groups as niche providers. */
  popularHead: number;
  minRelationsPerConsumer: number;
  maxRelationsPerConsumer: number;
  /** Probability that a relation goes to one of the consumer's group providers. */
  groupShare: number;
  /** Probability that a relation goes to any provider at all; the rest goes to the popular head. */
  noiseShare: number;
  /** Probability that a relation carries a rating. */
  ratedShare: number;
  seed: string;
}

export const DEFAULT_PLANTED_OPTIONS: PlantedOptions = {
  consumers: 2000,
  providers: 200,
  groups: 20,
  popularHead: 20,
  minRelationsPerConsumer: 8,
  maxRelationsPerConsumer: 22,
  groupShare: 0.7,
  noiseShare: 0.05,
  ratedShare: 0.6,
  seed: 'planted',
};

export interface PlantedRow {
  consumer: string;
  provider: string;
  rating: number | null;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

// A fixed window, not the clock, so that a seed always gives the same rows.
const WINDOW_START = Date.UTC(2024, 0, 1);
const WINDOW_MS = 2 * 365 * 24 * 60 * 60 * 1000;

type Random = () => number;

export function generatePlanted(overrides: Partial<PlantedOptions> = {}): PlantedRow[] {
  const options = { ...DEFAULT_PLANTED_OPTIONS, ...overrides };
  if (options.popularHead + options.groups > options.providers) {
    throw new Error('need at least one niche provider per group besides the popular head');
  }
  const random = seedrandom(options.seed);
  const head = providerKeys(1, options.popularHead);
  const headPicker = zipfPicker(head.length);
  const groupProviders = nicheProvidersByGroup(options);
  const rows: PlantedRow[] = [];
  for (let id = 1; id <= options.consumers; id++) {
    const group = Math.floor(random() * options.groups);
    const relations = uniformInteger(options.minRelationsPerConsumer, options.maxRelationsPerConsumer, random);
    for (let index = 0; index < relations; index++) {
      const roll = random();
      const inGroup = roll < options.groupShare;
      const provider = inGroup
        ? pick(groupProviders[group], random)
        : roll < options.groupShare + options.noiseShare
          ? `provider-${uniformInteger(1, options.providers, random)}`
          : head[headPicker(random)];
      rows.push({ consumer: `consumer-${id}`, provider, rating: rating(inGroup, options.ratedShare, random), timestamp: timestamp(random) });
    }
  }
  return rows;
}

function providerKeys(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `provider-${first + index}`);
}

function nicheProvidersByGroup(options: PlantedOptions): string[][] {
  const niche = providerKeys(options.popularHead + 1, options.providers - options.popularHead);
  const groups = Array.from({ length: options.groups }, (): string[] => []);
  niche.forEach((provider, index) => groups[index % options.groups].push(provider));
  return groups;
}

/** Draws rank r (from 0) with probability ∝ 1/(r+1): a steep head within the head. */
function zipfPicker(count: number): (random: Random) => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= count; rank++) cumulative.push((total += 1 / rank));
  return (random) => {
    const target = random() * total;
    const index = cumulative.findIndex((bound) => target < bound);
    return index < 0 ? count - 1 : index;
  };
}

/** Ratings lean high for a consumer's own group: the taste the structure plants. */
function rating(inGroup: boolean, ratedShare: number, random: Random): number | null {
  if (random() >= ratedShare) return null;
  return inGroup ? uniformInteger(4, 5, random) : uniformInteger(1, 5, random);
}

function timestamp(random: Random): number {
  return WINDOW_START + Math.floor(random() * WINDOW_MS);
}

function uniformInteger(min: number, max: number, random: Random): number {
  return min + Math.floor(random() * (max - min + 1));
}

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)];
}

export interface PlantedSplit {
  train: PlantedRow[];
  test: PlantedRow[];
}

/**
 * Holds out, per consumer, the providers it came to last (ordered by first relation): about
 * `heldOutShare` of its distinct providers, with all their relations. A consumer with a single
 * provider keeps it in train. The test then asks what a recommender does: guess new providers.
 */
export function splitByLatest(rows: readonly PlantedRow[], heldOutShare = 0.2): PlantedSplit {
  const heldOut = new Set<string>();
  for (const [consumer, firstSeen] of firstRelationByConsumer(rows)) {
    const providers = [...firstSeen].sort(([a, aAt], [b, bAt]) => aAt - bAt || a.localeCompare(b)).map(([provider]) => provider);
    const count = providers.length < 2 ? 0 : Math.max(1, Math.round(providers.length * heldOutShare));
    for (const provider of providers.slice(providers.length - count)) heldOut.add(pairKey(consumer, provider));
  }
  return partition(rows, heldOut);
}

/**
 * Holds out, per consumer, a seeded random `heldOutShare` of its distinct providers with all
 * their relations (at least one when it has two or more): the per-consumer 80/20 split.
 */
export function splitAtRandom(rows: readonly PlantedRow[], seed: string, heldOutShare = 0.2): PlantedSplit {
  const random = seedrandom(seed);
  const heldOut = new Set<string>();
  for (const [consumer, firstSeen] of firstRelationByConsumer(rows)) {
    const providers = [...firstSeen.keys()].sort();
    const count = providers.length < 2 ? 0 : Math.max(1, Math.round(providers.length * heldOutShare));
    for (let index = 0; index < count; index++) {
      const chosen = index + Math.floor(random() * (providers.length - index));
      [providers[index], providers[chosen]] = [providers[chosen], providers[index]];
      heldOut.add(pairKey(consumer, providers[index]));
    }
  }
  return partition(rows, heldOut);
}

function partition(rows: readonly PlantedRow[], heldOut: ReadonlySet<string>): PlantedSplit {
  const split: PlantedSplit = { train: [], test: [] };
  for (const row of rows) (heldOut.has(pairKey(row.consumer, row.provider)) ? split.test : split.train).push(row);
  return split;
}

function firstRelationByConsumer(rows: readonly PlantedRow[]): Map<string, Map<string, number>> {
  const byConsumer = new Map<string, Map<string, number>>();
  for (const { consumer, provider, timestamp } of rows) {
    let firstSeen = byConsumer.get(consumer);
    if (!firstSeen) byConsumer.set(consumer, (firstSeen = new Map()));
    firstSeen.set(provider, Math.min(firstSeen.get(provider) ?? Infinity, timestamp));
  }
  return byConsumer;
}

function pairKey(consumer: string, provider: string): string {
  return `${consumer}\u0000${provider}`;
}
