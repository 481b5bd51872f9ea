import reference from '../fixtures/crm-graph-networkx.json';
import { createConsumer, createProvider, recordRelation } from '../support/factories';
import { run } from '../support/graphql';
import { type Scores, expectNetworkxScores } from '../support/networkx';

// The reference graph (shared/reference/crm-graph-networkx.json), loaded through the API, and
// every node's score compared with networkx 2.8.8's to 1e-6 relative.

const expected = reference.expected as unknown as Record<string, Scores> & { connected_components: number; density: number };

const idOf = new Map<string, string>();

beforeAll(async () => {
  for (const name of reference.consumers) idOf.set(name, (await createConsumer({ name })).id);
  for (const name of reference.providers) idOf.set(name, (await createProvider({ name })).id);
  for (const [index, relation] of reference.relations.entries()) {
    const attributes = {
      PURCHASE: { amountMinor: 1000 + index, currency: 'EUR' },
      SUBSCRIPTION: { amountMinor: 500, currency: 'USD' },
      REVIEW: { rating: 1 + (index % 5) },
      FAVORITE: {},
    }[relation.kind as 'PURCHASE'];
    await recordRelation({
      consumerId: idOf.get(relation.consumer),
      providerId: idOf.get(relation.provider),
      kind: relation.kind,
      ...attributes,
    });
  }
});

/** Every node's score, read through the rankings (consumers and providers). */
async function scoresThroughRankings(metric: string, weight = 'NONE'): Promise<Scores> {
  const data = await run(
    `query ($metric: CentralityMetric!, $weight: EdgeWeight) {
      consumerRanking(metric: $metric, weight: $weight, first: 1000) { entries { score consumer { name } } }
      providerRanking(metric: $metric, weight: $weight, first: 1000) { entries { score provider { name } } }
    }`,
    { metric, weight },
  );
  return Object.fromEntries([
    ...data.consumerRanking.entries.map((entry: any) => [entry.consumer.name, entry.score]),
    ...data.providerRanking.entries.map((entry: any) => [entry.provider.name, entry.score]),
  ]);
}

/** Every node's score, read through the `centrality` field of each consumer and provider. */
async function scoresThroughNodes(metric: string, weight = 'NONE'): Promise<Scores> {
  const data = await run(
    `query ($metric: CentralityMetric!, $weight: EdgeWeight) {
      consumers(first: 100) { edges { node { name centrality(metric: $metric, weight: $weight) } } }
      providers(first: 100) { edges { node { name centrality(metric: $metric, weight: $weight) } } }
    }`,
    { metric, weight },
  );
  return Object.fromEntries(
    [...data.consumers.edges, ...data.providers.edges].map((edge: any) => [edge.node.name, edge.node.centrality]),
  );
}

describe.each([
  ['PAGERANK', 'NONE', 'pagerank'],
  ['PAGERANK', 'COUNT', 'pagerank_weighted_by_count'],
  ['DEGREE', 'NONE', 'degree_centrality'],
  ['BETWEENNESS', 'NONE', 'betweenness_normalized'],
  ['CLOSENESS', 'NONE', 'closeness'],
  ['EIGENVECTOR', 'NONE', 'eigenvector'],
  ['HITS_HUB', 'NONE', 'hits_hub'],
  ['HITS_AUTHORITY', 'NONE', 'hits_authority'],
])('%s weighted by %s matches networkx (%s)', (metric, weight, key) => {
  it('through the rankings', async () => {
    expectNetworkxScores(await scoresThroughRankings(metric, weight), expected[key]);
  });
  it('through each node’s centrality field', async () => {
    expectNetworkxScores(await scoresThroughNodes(metric, weight), expected[key]);
  });
});

it('graph statistics match networkx', async () => {
  const { graphStats } = await run(
    `{ graphStats { consumers providers edges density connectedComponents largestComponentSize } }`,
  );
  expect(graphStats).toMatchObject({
    consumers: reference.consumers.length,
    providers: reference.providers.length,
    connectedComponents: expected.connected_components,
    largestComponentSize: reference.consumers.length + reference.providers.length,
  });
  expect(Math.abs(graphStats.density - expected.density) / expected.density).toBeLessThan(1e-12);
});
