import type { PairSummary } from '../../src/analytics/graph/strength';
import { percentileRank, relationshipStrength } from '../../src/analytics/graph/strength';

// Relationship strength and segments on cases computed by hand from the documented formula.

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 25);

function pair(overrides: Partial<PairSummary>): PairSummary {
  return { count: 1, countByKind: {}, firstAt: NOW - 400 * DAY, lastAt: NOW, amounts: {}, meanRating: null, ...overrides };
}

const spend = new Map([['EUR', Float64Array.from([1000, 2000, 2000, 5000])]]);

describe('percentileRank', () => {
  it.each([
    [1000, (0 + 0.5) / 4],
    [2000, (1 + 1) / 4],
    [5000, (3 + 0.5) / 4],
    [1500, 1 / 4],
  ])('places %d at %d', (value, expected) => {
    expect(percentileRank(spend.get('EUR')!, value)).toBeCloseTo(expected, 12);
  });
});

describe('relationshipStrength', () => {
  it('weighs all four components', () => {
    // 90 days ago (one half-life), 3 relations, top spender, mean rating 4.
    const result = relationshipStrength(pair({ count: 3, lastAt: NOW - 90 * DAY, amounts: { EUR: 5000 }, meanRating: 4 }), spend, NOW);
    const components = { recency: 0.5, frequency: 0.5, monetary: 0.875, sentiment: 0.75 };
    expect(result.components.recency).toBeCloseTo(components.recency, 12);
    expect(result.components.frequency).toBeCloseTo(components.frequency, 12);
    expect(result.components.monetary).toBeCloseTo(components.monetary, 12);
    expect(result.components.sentiment).toBeCloseTo(components.sentiment, 12);
    expect(result.score).toBeCloseTo(0.35 * 0.5 + 0.25 * 0.5 + 0.25 * 0.875 + 0.15 * 0.75, 12);
  });

  it('leaves out components a relationship has no data for, and renormalises the weights', () => {
    // A favourite today: recency 1, frequency 1/4, no amounts, no ratings.
    const result = relationshipStrength(pair({ count: 1 }), spend, NOW);
    expect(result.components).toEqual({ recency: 1, frequency: 0.25, monetary: null, sentiment: null });
    expect(result.score).toBeCloseTo((0.35 * 1 + 0.25 * 0.25) / (0.35 + 0.25), 12);
  });

  it('takes the best percentile over the currencies a pair spent in', () => {
    const twoCurrencies = new Map([...spend, ['USD', Float64Array.from([10, 20])]]);
    const result = relationshipStrength(pair({ amounts: { EUR: 1000, USD: 20 } }), twoCurrencies, NOW);
    expect(result.components.monetary).toBeCloseTo(0.75, 12);
  });
});

describe('segments', () => {
  const segmentOf = (overrides: Partial<PairSummary>) => relationshipStrength(pair(overrides), spend, NOW).segment;

  it.each([
    ['LOST', { count: 9, lastAt: NOW - 271 * DAY }],
    ['AT_RISK', { count: 3, lastAt: NOW - 91 * DAY }],
    ['OCCASIONAL', { count: 2, lastAt: NOW - 91 * DAY }],
    ['CHAMPION', { count: 5, lastAt: NOW - 10 * DAY, amounts: { EUR: 5000 } }],
    ['LOYAL', { count: 5, lastAt: NOW - 10 * DAY, amounts: { EUR: 2000 } }],
    ['LOYAL', { count: 3, lastAt: NOW - 89 * DAY }],
    ['NEW', { count: 2, firstAt: NOW - 20 * DAY, lastAt: NOW - DAY }],
    ['CHAMPION', { count: 6, firstAt: NOW - 20 * DAY, lastAt: NOW - DAY }],
    ['OCCASIONAL', { count: 2, lastAt: NOW - 30 * DAY }],
  ] as const)('%s for %j', (segment, overrides) => {
    expect(segmentOf(overrides)).toBe(segment);
  });
});
