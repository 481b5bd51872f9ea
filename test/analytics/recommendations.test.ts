import { neighborsOf, recommendProviders, similarConsumers, similarProviders } from '../../src/analytics/graph/recommendations';
import { RelationStore } from '../../src/analytics/serving/store';
import type { PartyRef } from '../../src/db/party';

// The recommender and the co-consumption rows it reads, on graphs small enough to compute by hand.

const favourite = (consumerId: number, providerId: number) =>
  ({ consumerId, providerId, kind: 'FAVORITE', occurredAt: 0, amountMinor: null, currency: null, rating: null }) as const;

function graphOf(pairs: [number, number][]): RelationStore {
  const graph = new RelationStore();
  for (const [consumer, provider] of pairs) graph.relation(favourite(consumer, provider));
  return graph;
}

const c = (id: number) => ({ party: 'consumer', id }) as const;
const p = (id: number) => ({ party: 'provider', id }) as const;
const node = (graph: RelationStore, party: PartyRef) => graph.nodeOf(party.party, party.id);

// c1: p1 p2 · c2: p1 p3 · c3: p2 p3 · c4: p3 p4
const SMALL: [number, number][] = [[1, 1], [1, 2], [2, 1], [2, 3], [3, 2], [3, 3], [4, 3], [4, 4]];

describe('recommendProviders (RP3β)', () => {
  it('scores the three-step walk, divided by the candidate degree to the power β', () => {
    const graph = graphOf(SMALL);
    const [best, padding] = recommendProviders(graph, node(graph, c(1)), { first: 2, beta: 0.5, reasons: 3 });
    // c1 → p1 → c2 → p3 and c1 → p2 → c3 → p3: each (1/2)(1/2)(1/2); p3 has 3 consumers.
    expect(best).toMatchObject({ provider: p(3), basis: 'COLLABORATIVE', consumers: 3 });
    expect(best.score).toBeCloseTo(0.25 / Math.sqrt(3), 12);
    expect(best.reasons).toEqual([
      { provider: p(1), sharedConsumers: 1, contribution: expect.closeTo(0.125 / Math.sqrt(3), 12) },
      { provider: p(2), sharedConsumers: 1, contribution: expect.closeTo(0.125 / Math.sqrt(3), 12) },
    ]);
    // p4 is not reached by the walk: it fills the list as a popular provider (1 of 4 consumers).
    expect(padding).toEqual({ provider: p(4), basis: 'POPULAR', score: 0.25, consumers: 1, reasons: [] });
  });

  it('never recommends a provider the consumer already has', () => {
    const graph = graphOf(SMALL);
    for (const consumer of [1, 2, 3, 4]) {
      const own = new Set(neighborsOf(graph, node(graph, c(consumer))).map((provider) => graph.idOf(provider)));
      const recommended = recommendProviders(graph, node(graph, c(consumer)), { first: 10, beta: 0.5, reasons: 3 });
      expect(recommended.length).toBe(4 - own.size);
      expect(recommended.filter((recommendation) => own.has(recommendation.provider.id))).toEqual([]);
    }
  });

  it('gives a consumer without relations the popular providers', () => {
    const recommended = recommendProviders(graphOf(SMALL), -1, { first: 2, beta: 0.5, reasons: 3 });
    expect(recommended.map(({ provider, basis, score }) => ({ provider, basis, score }))).toEqual([
      { provider: p(3), basis: 'POPULAR', score: 0.75 },
      { provider: p(1), basis: 'POPULAR', score: 0.5 },
    ]);
  });
});

describe('similarity', () => {
  it('is the cosine of the neighbour sets', () => {
    const graph = graphOf(SMALL);
    expect(similarProviders(graph, node(graph, p(3)), 5)).toEqual([
      { party: p(4), similarity: 1 / Math.sqrt(3), shared: 1 },
      { party: p(1), similarity: 1 / Math.sqrt(6), shared: 1 },
      { party: p(2), similarity: 1 / Math.sqrt(6), shared: 1 },
    ]);
    expect(similarConsumers(graph, node(graph, c(2)), 5)).toEqual([
      { party: c(1), similarity: 0.5, shared: 1 },
      { party: c(3), similarity: 0.5, shared: 1 },
      { party: c(4), similarity: 0.5, shared: 1 },
    ]);
  });
});
