import seedrandom from 'seedrandom';
import { CoConsumptionIndex, coConsumptionOf } from '../../src/analytics/graph/co-consumption';
import { type RelationGraph, addRelation, createRelationGraph, nodeKey, removeRelation } from '../../src/analytics/graph/relation-graph';
import { recommendProviders, similarConsumers, similarProviders } from '../../src/analytics/graph/recommendations';

// The recommender and the co-consumption index it reads, on graphs small enough to compute by hand.

const favourite = (consumerId: number, providerId: number) =>
  ({ consumerId, providerId, kind: 'FAVORITE', occurredAt: 0, amountMinor: null, currency: null, rating: null }) as const;

function graphOf(pairs: [number, number][]): RelationGraph {
  const graph = createRelationGraph();
  for (const [consumer, provider] of pairs) addRelation(graph, favourite(consumer, provider));
  return graph;
}

const c = (id: number) => nodeKey('consumer', id);
const p = (id: number) => nodeKey('provider', id);

// c1: p1 p2 · c2: p1 p3 · c3: p2 p3 · c4: p3 p4
const SMALL: [number, number][] = [[1, 1], [1, 2], [2, 1], [2, 3], [3, 2], [3, 3], [4, 3], [4, 4]];

describe('recommendProviders (RP3β)', () => {
  it('scores the three-step walk, divided by the candidate degree to the power β', () => {
    const [best, padding] = recommendProviders(graphOf(SMALL), c(1), { first: 2, beta: 0.5, reasons: 3 });
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
      const own = new Set(graph.neighbors(c(consumer)));
      const recommended = recommendProviders(graph, c(consumer), { first: 10, beta: 0.5, reasons: 3 });
      expect(recommended.length).toBe(4 - own.size);
      expect(recommended.filter((recommendation) => own.has(recommendation.provider))).toEqual([]);
    }
  });

  it('gives a consumer without relations the popular providers', () => {
    const recommended = recommendProviders(graphOf(SMALL), c(99), { first: 2, beta: 0.5, reasons: 3 });
    expect(recommended.map(({ provider, basis, score }) => ({ provider, basis, score }))).toEqual([
      { provider: p(3), basis: 'POPULAR', score: 0.75 },
      { provider: p(1), basis: 'POPULAR', score: 0.5 },
    ]);
  });
});

describe('similarity', () => {
  it('is the cosine of the neighbour sets', () => {
    const graph = graphOf(SMALL);
    expect(similarProviders(graph, p(3), 5)).toEqual([
      { node: p(4), similarity: 1 / Math.sqrt(3), shared: 1 },
      { node: p(1), similarity: 1 / Math.sqrt(6), shared: 1 },
      { node: p(2), similarity: 1 / Math.sqrt(6), shared: 1 },
    ]);
    expect(similarConsumers(graph, c(2), 5)).toEqual([
      { node: c(1), similarity: 0.5, shared: 1 },
      { node: c(3), similarity: 0.5, shared: 1 },
      { node: c(4), similarity: 0.5, shared: 1 },
    ]);
  });
});

describe('CoConsumptionIndex', () => {
  it('follows edge changes exactly as an index built afresh', () => {
    const random = seedrandom('co-consumption');
    const graph = graphOf([]);
    const live = coConsumptionOf(graph);
    const facts: ReturnType<typeof favourite>[] = [];
    for (let step = 0; step < 3000; step++) {
      if (facts.length > 0 && random() < 0.35) {
        removeRelation(graph, facts.splice(Math.floor(random() * facts.length), 1)[0]);
      } else {
        const fact = favourite(1 + Math.floor(random() * 40), 1 + Math.floor(random() * 15));
        addRelation(graph, fact);
        facts.push(fact);
      }
    }
    const fresh = CoConsumptionIndex.attach(graph.copy());
    const rows = (index: CoConsumptionIndex) =>
      Object.fromEntries(
        graph
          .filterNodes((_node, attributes) => attributes.side === 'provider')
          .map((provider) => [
            provider,
            Object.fromEntries([...index.row(provider)].map(([other, { shared, walk }]) => [other, { shared, walk: walk.toFixed(9) }])),
          ]),
      );
    expect(graph.size).toBeGreaterThan(100);
    expect(rows(live)).toEqual(rows(fresh));
  });
});
