import pagerank from 'graphology-metrics/centrality/pagerank';
import graphologyModularity from 'graphology-metrics/graph/modularity';
import reference from '../fixtures/crm-graph-networkx.json';
import windowReference from '../fixtures/crm-graph-window-networkx.json';
import { recommendProviders, similarProviders } from '../../src/analytics/graph/recommendations';
import { nodeKey, partyOf } from '../../src/analytics/graph/adjacency';
import { type RelationGraph, addParty, addRelation, createRelationGraph } from '../../src/analytics/graph/relation-graph';
import { ALL_KINDS_MASK } from '../../src/analytics/graph/snapshot';
import { RelationStore } from '../../src/analytics/serving/store';
import { providerSpend, relationshipStrength } from '../../src/analytics/graph/strength';
import { DEFAULT_ANALYTICS_SETTINGS } from '../../src/analytics/serving/service';
import type { RelationKind } from '../../src/generated/prisma/enums';
import { detectCommunities } from '../support/oracles/communities';
import { createConsumer, createProvider, recordRelation } from '../support/factories';
import { execute, run } from '../support/graphql';
import { type Scores, expectNetworkxScores } from '../support/networkx';
import { parseGlobalId } from '../../src/schema/ids';

// One time window of the reference graph (relation i occurred on 2026-01-01 plus i days): every
// windowed answer equals the all-time answer on only the window's relations, by networkx
// (test/fixtures/crm-graph-window-networkx.json, made by scripts/reference/window-networkx.py)
// and by the graphology oracles on a graph built from those relations alone.

const expected = windowReference.expected as unknown as Record<string, Scores> & {
  edges: number;
  connected_components: number;
  largest_component_size: number;
  density: number;
};
const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);
const WINDOW = { from: windowReference.window.from, to: windowReference.window.to };
const inWindow = (time: number) => time >= Date.parse(WINDOW.from) && time < Date.parse(WINDOW.to);

const idOf = new Map<string, string>();
const numberOf = new Map<string, number>();
const nameOf = new Map<string, string>();
/** The window's relations alone, as a graph: the oracles' input. */
const windowGraph: RelationGraph = createRelationGraph();
/** The same window's relations in the store the service reads per-node answers from. */
const windowStore = new RelationStore();

function attributesOf(kind: string, index: number) {
  return {
    PURCHASE: { amountMinor: 1000 + index, currency: 'EUR' },
    SUBSCRIPTION: { amountMinor: 500, currency: 'USD' },
    REVIEW: { rating: 1 + (index % 5) },
    FAVORITE: {},
  }[kind as 'PURCHASE'] as { amountMinor?: number; currency?: string; rating?: number };
}

beforeAll(async () => {
  for (const [names, create, side] of [
    [reference.consumers, createConsumer, 'consumer'],
    [reference.providers, createProvider, 'provider'],
  ] as const) {
    for (const name of names) {
      const { id } = await create({ name });
      idOf.set(name, id);
      const number = parseGlobalId(id, 'id').id;
      numberOf.set(name, number);
      nameOf.set(nodeKey(side, number), name);
      addParty(windowGraph, side, number);
      windowStore.party(side, number);
    }
  }
  for (const [index, relation] of reference.relations.entries()) {
    const occurredAt = START + index * DAY;
    const attributes = attributesOf(relation.kind, index);
    await recordRelation({
      consumerId: idOf.get(relation.consumer),
      providerId: idOf.get(relation.provider),
      kind: relation.kind,
      occurredAt: new Date(occurredAt).toISOString(),
      ...attributes,
    });
    if (inWindow(occurredAt)) {
      const record = {
        consumerId: numberOf.get(relation.consumer)!,
        providerId: numberOf.get(relation.provider)!,
        kind: relation.kind as RelationKind,
        occurredAt,
        amountMinor: attributes.amountMinor ?? null,
        currency: attributes.currency ?? null,
        rating: attributes.rating ?? null,
      };
      addRelation(windowGraph, record);
      windowStore.relation(record);
    }
  }
  windowStore.compact();
});

async function windowedScores(metric: string, weight: string, window: object = WINDOW): Promise<Scores> {
  const data = await run(
    `query ($metric: CentralityMetric!, $weight: EdgeWeight, $window: WindowInput) {
      consumerRanking(metric: $metric, weight: $weight, first: 1000, window: $window, consistency: LATEST) {
        window { from to } entries { score consumer { name } }
      }
      providerRanking(metric: $metric, weight: $weight, first: 1000, window: $window, consistency: LATEST) {
        entries { score provider { name } }
      }
    }`,
    { metric, weight, window },
  );
  expect(data.consumerRanking.window).toEqual({ from: new Date(WINDOW.from).toISOString(), to: new Date(WINDOW.to).toISOString() });
  return Object.fromEntries([
    ...data.consumerRanking.entries.map((entry: any) => [entry.consumer.name, entry.score]),
    ...data.providerRanking.entries.map((entry: any) => [entry.provider.name, entry.score]),
  ]);
}

describe('windowed centrality equals networkx on the window’s relations', () => {
  it('leaves relations out: the window has fewer edges than all time', () => {
    expect(expected.edges).toBeLessThan(windowGraph.order);
    expect(windowGraph.size).toBe(expected.edges);
  });

  it.each([
    ['PAGERANK', 'NONE', 'pagerank'],
    ['PAGERANK', 'COUNT', 'pagerank_weighted_by_count'],
    ['DEGREE', 'NONE', 'degree_centrality'],
    ['BETWEENNESS', 'NONE', 'betweenness_normalized'],
    ['CLOSENESS', 'NONE', 'closeness'],
    ['HITS_HUB', 'NONE', 'hits_hub'],
    ['HITS_AUTHORITY', 'NONE', 'hits_authority'],
  ])('%s weighted by %s (%s)', async (metric, weight, key) => {
    expectNetworkxScores(await windowedScores(metric, weight), expected[key]);
  });

  it('graph statistics', async () => {
    const { graphStats } = await run(
      `query ($window: WindowInput) {
        graphStats(window: $window, consistency: LATEST) { consumers providers edges density connectedComponents largestComponentSize window { from } }
      }`,
      { window: WINDOW },
    );
    expect(graphStats).toMatchObject({
      consumers: reference.consumers.length,
      providers: reference.providers.length,
      edges: expected.edges,
      connectedComponents: expected.connected_components,
      largestComponentSize: expected.largest_component_size,
    });
    expect(Math.abs(graphStats.density - expected.density) / expected.density).toBeLessThan(1e-12);
  });
});

describe('windowed answers equal the graphology oracles on the window’s relations', () => {
  it('each node’s centrality field: PageRank weighted by count', async () => {
    const data = await run(
      `query ($window: WindowInput) {
        providers(first: 100) { edges { node { name centrality(metric: PAGERANK, weight: COUNT, window: $window, consistency: LATEST) } } }
      }`,
      { window: WINDOW },
    );
    const oracle = pagerank(windowGraph, { alpha: 0.85, tolerance: 1e-12, maxIterations: 10_000, getEdgeWeight: 'count' });
    for (const { node } of data.providers.edges) {
      const key = nodeKey('provider', numberOf.get(node.name)!);
      expect(Math.abs(node.centrality - oracle[key]) / oracle[key]).toBeLessThan(1e-6);
    }
  });

  it('communities: the partition’s modularity on the window’s graph, at least graphology’s Louvain', async () => {
    const data = await run(
      `query ($window: WindowInput) {
        communities(window: $window, consistency: LATEST) {
          modularity window { to } communities(first: 40) { edges { node { index members(first: 40) { edges { node { ... on Consumer { name } ... on Provider { name } } } } } } }
        }
      }`,
      { window: WINDOW },
    );
    const communityOf = new Map<string, number>();
    for (const { node } of data.communities.communities.edges) {
      for (const member of node.members.edges) communityOf.set(member.node.name, node.index);
    }
    expect(communityOf.size).toBe(windowGraph.order);
    const modularity = graphologyModularity(windowGraph, { getNodeCommunity: (node) => communityOf.get(nameOf.get(node)!)!, getEdgeWeight: null });
    expect(Math.abs(data.communities.modularity - modularity)).toBeLessThan(1e-9);
    const oracle = detectCommunities(windowGraph, { resolution: 1, weight: 'NONE', seed: DEFAULT_ANALYTICS_SETTINGS.seed });
    expect(data.communities.modularity).toBeGreaterThanOrEqual(oracle.modularity - 1e-9);
  });

  it('relationship strength as of the window’s end', async () => {
    const provider = reference.providers[0];
    const data = await run(
      `query ($id: ID!, $window: WindowInput) {
        node(id: $id) { ... on Provider { relationships(first: 100, window: $window) { edges { node { strength segment asOf relationCount consumer { name } window { from to } } } } } }
      }`,
      { id: idOf.get(provider), window: WINDOW },
    );
    const providerNode = windowStore.nodeOf('provider', numberOf.get(provider)!);
    const pairs: { consumer: number; pair: number }[] = [];
    windowStore.forEachPair(providerNode, (pair, consumer) => pairs.push({ consumer, pair }));
    const summaries = pairs.map(({ pair }) => windowStore.summary(pair, ALL_KINDS_MASK));
    const spend = providerSpend(summaries);
    const asOf = Date.parse(WINDOW.to);
    const wanted = pairs.map(({ consumer }, index) => {
      const strength = relationshipStrength(summaries[index], spend, asOf);
      const { party, id } = partyOf(windowStore, consumer);
      return { name: nameOf.get(nodeKey(party, id)), strength: strength.score, segment: strength.segment, count: summaries[index].count };
    });
    const actual = data.node.relationships.edges.map(({ node }: any) => node);
    expect(actual.length).toBe(wanted.length);
    expect(wanted.length).toBeGreaterThan(0);
    for (const entry of wanted) {
      const found = actual.find((node: any) => node.consumer.name === entry.name);
      expect(found).toMatchObject({ segment: entry.segment, relationCount: entry.count, asOf: new Date(asOf).toISOString() });
      expect(found.strength).toBeCloseTo(entry.strength, 12);
      expect(found.window.to).toBe(new Date(WINDOW.to).toISOString());
    }
  });

  it('recommendations and similar providers', async () => {
    const consumer = reference.consumers.find((name) => windowGraph.degree(nodeKey('consumer', numberOf.get(name)!)) >= 2)!;
    const provider = reference.providers[0];
    const data = await run(
      `query ($consumer: ID!, $provider: ID!, $window: WindowInput) {
        consumer: node(id: $consumer) { ... on Consumer { recommendedProviders(first: 5, window: $window, method: RP3BETA) { score provider { name } } } }
        provider: node(id: $provider) { ... on Provider { similarProviders(first: 5, window: $window) { similarity provider { name } } } }
      }`,
      { consumer: idOf.get(consumer), provider: idOf.get(provider), window: WINDOW },
    );
    const options = { ...DEFAULT_ANALYTICS_SETTINGS.recommendations, first: 5 };
    const recommended = recommendProviders(windowStore, windowStore.nodeOf('consumer', numberOf.get(consumer)!), options);
    expect(data.consumer.recommendedProviders.map((entry: any) => [entry.provider.name, entry.score])).toEqual(
      recommended.map((entry) => [nameOf.get(nodeKey(entry.provider.party, entry.provider.id)), entry.score]),
    );
    const similar = similarProviders(windowStore, windowStore.nodeOf('provider', numberOf.get(provider)!), 5);
    expect(data.provider.similarProviders.map((entry: any) => [entry.provider.name, entry.similarity])).toEqual(
      similar.map((entry) => [nameOf.get(nodeKey(entry.party.party, entry.party.id)), entry.similarity]),
    );
  });
});

describe('Provider.history', () => {
  it('ranks the provider and counts its relations per month', async () => {
    const provider = reference.providers[2];
    const data = await run(
      `query ($id: ID!) {
        node(id: $id) { ... on Provider { history(metric: DEGREE, interval: MONTH, window: { from: "2026-01-15T00:00:00Z", to: "2026-04-10T00:00:00Z" }) {
          window { from to } rank relationCount
        } } }
      }`,
      { id: idOf.get(provider) },
    );
    const months = [0, 1, 2, 3].map((month) => ({ from: Date.UTC(2026, month, 1), to: Date.UTC(2026, month + 1, 1) }));
    expect(data.node.history.map((point: any) => point.window)).toEqual(
      months.map((month) => ({ from: new Date(month.from).toISOString(), to: new Date(month.to).toISOString() })),
    );
    months.forEach((month, index) => {
      const relations = reference.relations.filter((_relation, at) => START + at * DAY >= month.from && START + at * DAY < month.to);
      const pairs = new Map<string, Set<string>>(reference.providers.map((name) => [name, new Set()]));
      for (const relation of relations) pairs.get(relation.provider)!.add(relation.consumer);
      const degree = pairs.get(provider)!.size;
      const rank = 1 + [...pairs.values()].filter((consumers) => consumers.size > degree).length;
      expect(data.node.history[index]).toMatchObject({
        relationCount: relations.filter((relation) => relation.provider === provider).length,
        rank,
      });
    });
  });

  it('refuses more points than its bound', async () => {
    const response = await execute(
      `query ($id: ID!) { node(id: $id) { ... on Provider { history(metric: DEGREE, interval: DAY, window: { last: "P1Y" }) { rank } } } }`,
      { id: idOf.get(reference.providers[0]) },
    );
    expect(response.errors?.[0].message).toMatch(/window: covers more than 60 days/);
  });
});

describe('rolling windows', () => {
  it('end at the start of the next hour, and see only recent relations', async () => {
    await recordRelation({ consumerId: idOf.get(reference.consumers[0]), providerId: idOf.get(reference.providers[7]), kind: 'FAVORITE' });
    const before = Date.now();
    const { graphStats } = await run(`{ graphStats(window: { last: "P7D" }, consistency: LATEST) { edges window { from to } } }`);
    const to = Date.parse(graphStats.window.to);
    expect(to % (60 * 60 * 1000)).toBe(0);
    expect(to).toBeGreaterThan(before);
    expect(to - before).toBeLessThanOrEqual(60 * 60 * 1000);
    expect(to - Date.parse(graphStats.window.from)).toBe(7 * DAY);
    expect(graphStats.edges).toBe(1);
  });

  it('follow writes: a LATEST answer includes a relation recorded after the last one', async () => {
    const query = `{ graphStats(window: { last: "P7D" }, consistency: LATEST) { edges graphVersion changesBehind } }`;
    const first = (await run(query)).graphStats;
    await recordRelation({ consumerId: idOf.get(reference.consumers[1]), providerId: idOf.get(reference.providers[7]), kind: 'FAVORITE' });
    const second = (await run(query)).graphStats;
    expect(second.edges).toBe(first.edges + 1);
    expect(second.graphVersion).toBeGreaterThan(first.graphVersion);
    expect(second.changesBehind).toBe(0);
  });
});

describe('window validation', () => {
  it.each([
    [{ last: 'P90D', from: '2026-01-01T00:00:00Z' }, 'window.last: give either `last` or `from` and `to`, not both'],
    [{ from: '2026-01-01T00:00:00Z' }, 'window.to: is required unless `last` is given'],
    [{ from: '2026-03-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'window.to: must be later than `from`'],
    [{ from: '2000-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'window.to: must be at most 3660 days after `from`'],
    [{ last: '90 days' }, 'window.last: must be an ISO-8601 duration'],
    [{ last: 'PT30M' }, 'window.last: must be an ISO-8601 duration'],
    [{ last: 'P0D' }, 'window.last: must be longer than zero'],
    [{ last: 'P11Y' }, 'window.last: must be at most 3660 days'],
    [{ from: '1960-01-01T00:00:00Z', to: '1961-01-01T00:00:00Z' }, 'window.from: must be a time from 1970 to 9999'],
  ])('%j is refused: %s', async (window, message) => {
    const response = await execute(`query ($window: WindowInput) { graphStats(window: $window) { edges } }`, { window });
    expect(response.errors?.[0].message).toContain(message);
  });
});
