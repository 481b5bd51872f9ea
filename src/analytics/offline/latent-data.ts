import seedrandom from 'seedrandom';
import type { PlantedRow } from './planted-data';

/**
 * A seeded synthetic ratings data set shaped like MovieLens 100k (943 consumers, 1682
 * providers, about 100 000 ratings, at least 20 per consumer, a long-tailed popularity and
 * activity), standing in for movie ratings: no package on the npm registry ships a real public
 * ratings data set, and the real ratings reachable here (InstEval, insteval.ts) are lecture
 * evaluations, shaped by curricula (docs/recommendations.md). Unlike the planted data set it
 * has no clean taste groups: consumers mix overlapping tastes, providers belong to one to three
 * of them, and popularity matters as much as taste, so recommenders that differ in how they
 * trade the two score differently. Providers appear over time and consumers come back over
 * months, which gives the temporal split something to find.
 */

export interface LatentOptions {
  consumers: number;
  providers: number;
  tastes: number;
  minRelationsPerConsumer: number;
  maxRelationsPerConsumer: number;
  /** Exponent of the Zipf-like popularity: provider of popularity rank r weighs (r+1)^−skew. */
  popularitySkew: number;
  /** Concentration of a consumer's taste mix: small means a few tastes dominate. */
  tasteConcentration: number;
  seed: string;
}

export const ML100K_SHAPE: LatentOptions = {
  consumers: 943,
  providers: 1682,
  tastes: 19,
  minRelationsPerConsumer: 20,
  maxRelationsPerConsumer: 737,
  popularitySkew: 0.7,
  tasteConcentration: 0.1,
  seed: 'latent',
};

const WINDOW_START = Date.UTC(1997, 8, 19);
const WINDOW_MS = 215 * 24 * 60 * 60 * 1000;

/** Everyone draws a little from providers outside their tastes. */
const BACKGROUND_TASTE = 0.02;

type Random = () => number;

export function generateLatent(overrides: Partial<LatentOptions> = {}): PlantedRow[] {
  const options = { ...ML100K_SHAPE, ...overrides };
  const random = seedrandom(options.seed);
  const providers = Array.from({ length: options.providers }, (_, index) => providerTraits(index, options, random));
  const rows: PlantedRow[] = [];
  for (let id = 1; id <= options.consumers; id++) {
    const taste = tasteMix(options, random);
    const count = activity(options, random);
    const start = random() * 0.8;
    const span = 0.05 + random() * (1 - start - 0.05);
    // Efraimidis–Spirakis: the `count` largest u^(1/w) are a weighted sample without replacement.
    const keyed = providers.map((provider, index) => {
      const weight = provider.popularity * (BACKGROUND_TASTE + provider.tastes.reduce((sum, t) => sum + taste[t], 0));
      return { index, key: Math.log(random()) / weight };
    });
    keyed.sort((a, b) => b.key - a.key);
    for (const { index } of keyed.slice(0, count)) {
      const provider = providers[index];
      const from = Math.max(start, provider.release);
      const at = from + random() * Math.max(0.001, start + span - from);
      rows.push({
        consumer: `consumer-${id}`,
        provider: `provider-${index + 1}`,
        rating: 1 + Math.min(4, Math.floor(random() * 2 + provider.quality * 3.5)),
        timestamp: WINDOW_START + Math.floor(Math.min(1, at) * WINDOW_MS),
      });
    }
  }
  return rows;
}

interface ProviderTraits {
  popularity: number;
  tastes: number[];
  /** When it appears, as a share of the window: a few late ones, as new films come out. */
  release: number;
  quality: number;
}

function providerTraits(index: number, options: LatentOptions, random: Random): ProviderTraits {
  const tasteCount = 1 + Math.floor(random() * 3);
  const tastes = Array.from({ length: tasteCount }, () => Math.floor(random() * options.tastes));
  // Popularity by a shuffled rank, so provider numbers say nothing about it.
  const rank = Math.floor(random() * options.providers);
  return { popularity: (rank + 1) ** -options.popularitySkew, tastes, release: random() < 0.85 ? 0 : random() * 0.9, quality: random() };
}

/** A taste mix from a symmetric Dirichlet, by normalized Gamma draws (Marsaglia–Tsang, boosted below 1). */
function tasteMix(options: LatentOptions, random: Random): number[] {
  const draws = Array.from({ length: options.tastes }, () => gamma(options.tasteConcentration, random));
  const total = draws.reduce((sum, draw) => sum + draw, 0) || 1;
  return draws.map((draw) => draw / total);
}

function gamma(shape: number, random: Random): number {
  if (shape < 1) return gamma(shape + 1, random) * Math.max(random(), Number.MIN_VALUE) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(Math.max(random(), Number.MIN_VALUE))) * Math.cos(2 * Math.PI * random());
}

/** Ratings per consumer: a Pareto tail above the minimum, mean about 106 as in MovieLens 100k. */
function activity(options: LatentOptions, random: Random): number {
  const pareto = options.minRelationsPerConsumer * (Math.max(random(), 1e-9) ** (-1 / 1.25) - 1);
  return Math.min(options.maxRelationsPerConsumer, options.providers, options.minRelationsPerConsumer + Math.floor(pareto));
}
