import { createConsumer, createProvider, purchase, recordRelation } from '../support/factories';
import { execute, keyFor, run } from '../support/graphql';

// graphOverview: the explorer's map data, checked against the communities, rankings and relations the API also answers.

const ids: Record<string, string> = {};

// Two groups joined by one consumer (joe): ann bob cat use A B; dan eve fay use C D; joe uses B and C.
const PAIRS = [
  ['ann', 'A'], ['ann', 'B'], ['bob', 'A'], ['bob', 'B'], ['cat', 'A'], ['cat', 'B'],
  ['dan', 'C'], ['dan', 'D'], ['eve', 'C'], ['eve', 'D'], ['fay', 'C'], ['fay', 'D'],
  ['joe', 'B'], ['joe', 'C'],
];

beforeAll(async () => {
  for (const name of ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'joe']) ids[name] = (await createConsumer({ name })).id;
  for (const name of ['A', 'B', 'C', 'D']) ids[name] = (await createProvider({ name })).id;
  for (const [consumer, provider] of PAIRS) await purchase(ids[consumer], ids[provider]);
  await recordRelation({ consumerId: ids.ann, providerId: ids.A, kind: 'REVIEW', rating: 5 }); // ann–A: 2 relations
});

const OVERVIEW = `query ($limit: Int, $metric: CentralityMetric, $consistency: Consistency) {
  graphOverview(limit: $limit, metric: $metric, consistency: $consistency) {
    graphVersion computedAt changesBehind metric aggregated totalNodes totalEdges communityCount
    nodes { key community score consumerCount providerCount party { __typename ... on Consumer { id name } ... on Provider { id name } } }
    edges { source target weight }
  }
}`;

const COMMUNITIES = `{ communities(consistency: LATEST) { count communities(first: 50) { edges { node { index members(first: 50) { edges { node { ... on Consumer { id } ... on Provider { id } } } } } } } } }`;

async function communityOfEach(): Promise<Map<string, number>> {
  const { communities } = await run(COMMUNITIES);
  const membership = new Map<string, number>();
  for (const { node } of communities.communities.edges) for (const member of node.members.edges) membership.set(member.node.id, node.index);
  return membership;
}

const nameOf = (id: string) => Object.entries(ids).find(([, value]) => value === id)![0];

it('sends every node and edge of a small graph, scored and coloured as rankings and communities say', async () => {
  const { graphOverview: overview } = await run(OVERVIEW, { consistency: 'LATEST' });
  expect(overview).toMatchObject({ aggregated: false, metric: 'PAGERANK', totalNodes: 11, totalEdges: PAIRS.length, changesBehind: 0 });
  expect(overview.nodes.map((node: any) => node.party.name).sort()).toEqual(Object.keys(ids).sort());
  expect(overview.nodes.every((node: any) => node.key === node.party.id)).toBe(true);

  const edges = overview.edges.map((edge: any) => [[nameOf(edge.source), nameOf(edge.target)].sort().join('–'), edge.weight]).sort();
  const expected = PAIRS.map(([consumer, provider]) => [[consumer, provider].sort().join('–'), consumer === 'ann' && provider === 'A' ? 2 : 1]).sort();
  expect(edges).toEqual(expected);

  const membership = await communityOfEach();
  for (const node of overview.nodes) expect(node.community).toBe(membership.get(node.key));

  const { providerRanking } = await run(`{ providerRanking(metric: PAGERANK, first: 10) { entries { score provider { id } } } }`);
  for (const entry of providerRanking.entries) {
    expect(overview.nodes.find((node: any) => node.key === entry.provider.id).score).toBeCloseTo(entry.score, 12);
  }
});

it('aggregates a graph larger than the limit: the most central providers and communities as super-nodes', async () => {
  const { graphOverview: overview } = await run(OVERVIEW, { limit: 4, metric: 'DEGREE', consistency: 'LATEST' });
  expect(overview.aggregated).toBe(true);
  expect(overview.nodes.length).toBeLessThanOrEqual(4);
  const communities = overview.nodes.filter((node: any) => node.party === null);
  const providers = overview.nodes.filter((node: any) => node.party !== null);
  expect(communities.map((node: any) => node.key)).toEqual(['community:0']); // a quarter of 4 nodes
  // B and C have 4 consumers each, A and D 3: the three most central are B, C (degree 4) then A (ties by ID).
  expect(providers.map((node: any) => node.party.name)).toEqual(['B', 'C', 'A']);

  const membership = await communityOfEach();
  const members = [...membership].filter(([, community]) => community === 0).map(([id]) => id);
  expect(communities[0].consumerCount + communities[0].providerCount).toBe(members.length);
  // Each provider's tie to community 0 weighs the consumers of its own in that community.
  for (const provider of providers) {
    const expected = PAIRS.filter(([consumer, name]) => name === provider.party.name && membership.get(ids[consumer]) === 0).length;
    const edge = overview.edges.find((e: any) => [e.source, e.target].includes(provider.key) && [e.source, e.target].includes('community:0'));
    expect(edge?.weight ?? 0).toBe(expected);
  }
});

it('answers from its cache until the graph changes', async () => {
  const first = (await run(OVERVIEW, { consistency: 'LATEST' })).graphOverview;
  const again = (await run(OVERVIEW, { consistency: 'LATEST' })).graphOverview;
  expect(again.computedAt).toBe(first.computedAt);
  await purchase(ids.joe, ids.D);
  const eventual = (await run(OVERVIEW)).graphOverview;
  expect(eventual).toMatchObject({ computedAt: first.computedAt, changesBehind: 1 });
  const latest = (await run(OVERVIEW, { consistency: 'LATEST' })).graphOverview;
  expect(latest.graphVersion).toBeGreaterThan(first.graphVersion);
  expect(latest.totalEdges).toBe(PAIRS.length + 1);
});

it('refuses a limit out of range, and any key but an admin’s', async () => {
  for (const limit of [0, 501]) {
    const result = await execute(OVERVIEW, { limit });
    expect(result.errors?.[0].message).toBe('Invalid input: limit: must be from 1 to 500');
  }
  const providerKey = await keyFor('PROVIDER', ids.A);
  const result = await execute(OVERVIEW, {}, { key: providerKey });
  expect(result.data?.graphOverview ?? null).toBeNull();
  expect(result.errors?.[0].extensions?.code).toBe('ForbiddenError');
});

const COMMUNITY = `query ($community: Int, $limit: Int) {
  graphOverview(community: $community, limit: $limit, metric: DEGREE, consistency: LATEST) {
    aggregated
    nodes { key community score party { ... on Consumer { id } ... on Provider { id } } }
    edges { source target weight }
  }
}`;

it('opens one community: its most central members, by degree then kind and ID, and the ties between them', async () => {
  const membership = await communityOfEach();
  const degree = (id: string) => PAIRS.filter((pair) => pair.map((name) => ids[name]).includes(id)).length + (id === ids.joe || id === ids.D ? 1 : 0); // joe–D, bought above
  const community = membership.get(ids.B)!;
  const members = [...membership].filter(([, index]) => index === community).map(([id]) => id);
  const relations = (a: string, b: string) => [...PAIRS, ['joe', 'D']].filter((pair) => [ids[pair[0]], ids[pair[1]]].sort().join() === [a, b].sort().join()).length + (a === ids.ann && b === ids.A ? 1 : 0) + (b === ids.ann && a === ids.A ? 1 : 0);

  const whole = (await run(COMMUNITY, { community, limit: 500 })).graphOverview;
  expect(whole.aggregated).toBe(false);
  expect(whole.nodes.map((node: any) => node.key).sort()).toEqual([...members].sort());
  expect(whole.nodes.every((node: any) => node.community === community && node.score === degree(node.key) / 10)).toBe(true); // degree centrality: degree over n − 1
  const expectedEdges = members.flatMap((a) => members.filter((b) => a < b && relations(a, b) > 0).map((b) => [[a, b].sort().join(), relations(a, b)]));
  expect(whole.edges.map((edge: any) => [[edge.source, edge.target].sort().join(), edge.weight]).sort()).toEqual(expectedEdges.sort());

  const top = (await run(COMMUNITY, { community, limit: 2 })).graphOverview;
  expect(top.aggregated).toBe(members.length > 2);
  const ranked = [...whole.nodes].sort((a: any, b: any) => b.score - a.score);
  expect(top.nodes.map((node: any) => node.score)).toEqual(ranked.slice(0, 2).map((node: any) => node.score));
  for (const edge of top.edges) expect(top.nodes.map((node: any) => node.key)).toEqual(expect.arrayContaining([edge.source, edge.target]));
});

it('refuses a community that does not exist', async () => {
  const { communities } = await run(`{ communities(consistency: LATEST) { count } }`);
  for (const community of [-1, communities.count]) {
    const result = await execute(COMMUNITY, { community, limit: 10 });
    expect(result.errors?.[0].message).toBe(`Invalid input: community: must be from 0 to ${communities.count - 1}`);
  }
});

it('names parties as they are now: a rename shows in the next answer, from the same cached overview', async () => {
  const before = (await run(OVERVIEW, { consistency: 'LATEST' })).graphOverview;
  const renamed = await run(`mutation ($id: ID!) { updateProvider(id: $id, input: { name: "B renamed" }) { __typename } }`, { id: ids.B });
  expect(renamed.updateProvider.__typename).toBe('UpdateProviderSuccess');
  const after = (await run(OVERVIEW, { consistency: 'LATEST' })).graphOverview;
  expect(after.computedAt).toBe(before.computedAt);
  expect(after.nodes.find((node: any) => node.key === ids.B).party.name).toBe('B renamed');
});
