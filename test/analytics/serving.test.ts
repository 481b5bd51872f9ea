import { decodeGlobalID } from '@pothos/plugin-relay';
import { partyAt } from '../../src/analytics/graph/snapshot';
import { analytics } from '../../src/analytics/serving';
import { createConsumer, createProvider, purchase, recordRelation } from '../support/factories';
import { execute, run } from '../support/graphql';

// How analytics are served: read-your-writes, caching per graph version, communities, paths,
// statistics per kind, and typed errors for bad arguments.

const ids: Record<string, string> = {};

/** Two separate clusters: consumers a1..a3 around providers A1, A2, and b1, b2 around B1. */
beforeAll(async () => {
  for (const name of ['a1', 'a2', 'a3', 'b1', 'b2', 'loner']) ids[name] = (await createConsumer({ name })).id;
  for (const name of ['A1', 'A2', 'B1', 'Unused']) ids[name] = (await createProvider({ name })).id;
  for (const [consumer, provider] of [
    ['a1', 'A1'],
    ['a2', 'A1'],
    ['a2', 'A2'],
    ['a3', 'A2'],
    ['b1', 'B1'],
    ['b2', 'B1'],
  ]) {
    await purchase(ids[consumer], ids[provider]);
  }
  await recordRelation({ consumerId: ids.a1, providerId: ids.A1, kind: 'REVIEW', rating: 5 });
});

const DEGREE_RANKING = `query ($kinds: [RelationKind!]) {
  providerRanking(metric: DEGREE, kinds: $kinds, first: 10, consistency: LATEST) {
    graphVersion approximate sampleSize
    entries { rank score provider { name } }
  }
}`;

const PATH = `query ($from: ID!, $to: ID!) {
  connectionPath(from: $from, to: $to) { __typename ... on Consumer { name } ... on Provider { name } }
}`;

describe('read-your-writes', () => {
  it('shows a recorded relation in the next analytics query', async () => {
    const before = await run(DEGREE_RANKING);
    const unused = before.providerRanking.entries.find((entry: any) => entry.provider.name === 'Unused');
    expect(unused.score).toBe(0);

    const relation = await purchase(ids.loner, ids.Unused);
    const after = await run(DEGREE_RANKING);
    expect(after.providerRanking.graphVersion).toBeGreaterThan(before.providerRanking.graphVersion);
    const scoreOf = (name: string) => after.providerRanking.entries.find((entry: any) => entry.provider.name === name).score;
    const nodes = 6 + 4;
    expect(scoreOf('Unused')).toBeCloseTo(1 / (nodes - 1), 12);

    await run(`mutation ($id: ID!) { deleteRelation(id: $id) { __typename } }`, { id: relation.id });
    const removed = await run(DEGREE_RANKING);
    expect(removed.providerRanking.entries.find((entry: any) => entry.provider.name === 'Unused').score).toBe(0);
  });

  it('drops a deleted consumer from the graph and its rankings', async () => {
    const temporary = await createConsumer({ name: 'temporary' });
    await purchase(temporary.id, ids.B1);
    const stats = async () => (await run(`{ graphStats(consistency: LATEST) { consumers edges } }`)).graphStats;
    const withTemporary = await stats();
    await run(`mutation ($id: ID!) { deleteConsumer(id: $id, cascade: true) { __typename } }`, { id: temporary.id });
    expect(await stats()).toEqual({ consumers: withTemporary.consumers - 1, edges: withTemporary.edges - 1 });
  });
});

describe('caching', () => {
  it('answers a repeated question from the cache, without graph work, until the graph changes', async () => {
    const query = `{ consumerRanking(metric: PAGERANK, first: 3, consistency: LATEST) { graphVersion computedAt entries { score } } }`;
    const first = await run(query);
    const tasks = analytics().runner.tasksRun;
    const again = await run(query);
    expect(analytics().runner.tasksRun).toBe(tasks);
    expect(again).toEqual(first);

    await purchase(ids.a3, ids.A1);
    const changed = await run(query);
    expect(analytics().runner.tasksRun).toBe(tasks + 1);
    expect(changed.consumerRanking.graphVersion).toBeGreaterThan(first.consumerRanking.graphVersion);
  });
});

describe('relation kinds', () => {
  it('restricts the graph to the kinds asked for', async () => {
    const reviews = await run(`{ graphStats(kinds: [REVIEW], consistency: LATEST) { consumers providers edges } }`);
    expect(reviews.graphStats).toEqual({ consumers: 6, providers: 4, edges: 1 });
    const ranking = await run(DEGREE_RANKING, { kinds: ['REVIEW'] });
    expect(ranking.providerRanking.entries[0]).toMatchObject({ rank: 1, provider: { name: 'A1' } });
    expect(ranking.providerRanking.entries.slice(1).every((entry: any) => entry.score === 0 && entry.rank === 2)).toBe(true);
  });
});

describe('communities', () => {
  const COMMUNITIES = `query ($members: Int) {
    communities {
      modularity count graphVersion
      communities { edges { node { index size consumerCount providerCount
        members(first: $members) {
          edges { node { __typename ... on Consumer { name } ... on Provider { name } } }
          pageInfo { hasNextPage }
        }
      } } }
    }
  }`;

  it('splits separate clusters apart, reproducibly, largest first', async () => {
    const { communities } = await run(COMMUNITIES, { members: 100 });
    expect(communities.modularity).toBeGreaterThan(0.3);
    const nodes = communities.communities.edges.map((edge: any) => edge.node);
    expect(communities.count).toBe(nodes.length);
    const membersOf = nodes.map((node: any) => node.members.edges.map((edge: any) => edge.node.name).sort());
    const clusterOf = (name: string) => membersOf.find((members: string[]) => members.includes(name));
    expect(clusterOf('b1')).toEqual(expect.arrayContaining(['B1', 'b1', 'b2']));
    expect(clusterOf('b1')).not.toContain('a1');
    expect(clusterOf('a1')).toEqual(expect.arrayContaining(['A1', 'a1']));
    for (const node of nodes) {
      expect(node.size).toBe(node.members.edges.length);
      expect(node.consumerCount).toBe(node.members.edges.filter((edge: any) => edge.node.__typename === 'Consumer').length);
      expect(node.providerCount).toBe(node.members.edges.filter((edge: any) => edge.node.__typename === 'Provider').length);
    }
    const sizes = nodes.map((node: any) => node.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(nodes.map((node: any) => node.index)).toEqual(nodes.map((_: unknown, index: number) => index));
    expect(await run(COMMUNITIES, { members: 100 })).toEqual({ communities });
  });

  it('pages through a community\'s members', async () => {
    const { communities } = await run(COMMUNITIES, { members: 2 });
    const largest = communities.communities.edges[0].node;
    expect(largest.size).toBeGreaterThan(2);
    expect(largest.members.edges).toHaveLength(2);
    expect(largest.members.pageInfo.hasNextPage).toBe(true);

    // Page after page, forwards and backwards, the same members as the whole list.
    const PAGE = `query ($after: String, $last: Int, $before: String) {
      communities { communities(first: 1) { edges { node { members(first: 2, after: $after, last: $last, before: $before) {
        edges { cursor node { ... on Consumer { name } ... on Provider { name } } } pageInfo { hasNextPage endCursor }
      } } } } }
    }`;
    const whole = (await run(COMMUNITIES, { members: 100 })).communities.communities.edges[0].node.members.edges.map((edge: any) => edge.node.name);
    const paged: string[] = [];
    const cursors: string[] = [];
    for (let after: string | null = null; ; ) {
      const members: any = (await run(PAGE, { after })).communities.communities.edges[0].node.members;
      paged.push(...members.edges.map((edge: any) => edge.node.name));
      cursors.push(...members.edges.map((edge: any) => edge.cursor));
      if (!members.pageInfo.hasNextPage) break;
      after = members.pageInfo.endCursor;
    }
    expect(paged).toEqual(whole);
    const before = (await run(PAGE.replace('first: 2, ', ''), { last: 2, before: cursors[3] })).communities.communities.edges[0].node.members;
    expect(before.edges.map((edge: any) => edge.node.name)).toEqual(whole.slice(1, 3));
  });

  it('pages through the communities, forwards and backwards', async () => {
    const whole = (await run(COMMUNITIES, { members: 1 })).communities.communities.edges.map((edge: any) => edge.node.index);
    expect(whole.length).toBeGreaterThanOrEqual(3);
    const PAGE = `query ($after: String, $last: Int, $before: String) {
      communities { communities(first: 2, after: $after, last: $last, before: $before) {
        edges { cursor node { index size } } pageInfo { hasNextPage endCursor }
      } }
    }`;
    const paged: number[] = [];
    const cursors: string[] = [];
    for (let after: string | null = null; ; ) {
      const page: any = (await run(PAGE, { after })).communities.communities;
      paged.push(...page.edges.map((edge: any) => edge.node.index));
      cursors.push(...page.edges.map((edge: any) => edge.cursor));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(whole);
    const before = (await run(PAGE.replace('first: 2, ', ''), { last: 2, before: cursors[2] })).communities.communities;
    expect(before.edges.map((edge: any) => edge.node.index)).toEqual(whole.slice(0, 2));
    const past = (await run(PAGE, { after: cursors[cursors.length - 1] })).communities.communities;
    expect(past.edges).toEqual([]);
  });

  it('refuses a resolution out of range', async () => {
    const result = await execute(`{ communities(resolution: 0) { count } }`);
    expect(result.errors?.[0].message).toMatch(/resolution: must be from 0.01 to 100/);
  });
});

describe('connectionPath', () => {
  it('finds the shortest chain of consumers and providers', async () => {
    const { connectionPath } = await run(PATH, { from: ids.a1, to: ids.a3 });
    expect(connectionPath.map((node: any) => node.name)).toEqual(['a1', 'A1', 'a3']);
  });

  it('links a provider to a consumer through the chain', async () => {
    const { connectionPath } = await run(PATH, { from: ids.A1, to: ids.A2 });
    expect(connectionPath.map((node: any) => `${node.__typename}:${node.name}`)).toEqual([
      'Provider:A1',
      expect.stringMatching(/^Consumer:a[23]$/),
      'Provider:A2',
    ]);
  });

  it('is null when no chain exists', async () => {
    expect((await run(PATH, { from: ids.a1, to: ids.b1 })).connectionPath).toBeNull();
  });

  it('names an end that does not exist', async () => {
    const deleted = await createProvider({ name: 'gone' });
    await run(`mutation ($id: ID!) { deleteProvider(id: $id) { __typename } }`, { id: deleted.id });
    const result = await execute(PATH, { from: ids.a1, to: deleted.id });
    expect(result.errors?.[0].message).toBe('to: no provider with this ID exists');
  });
});

describe('bad arguments', () => {
  it.each([
    ['an unknown metric', `{ providerRanking(metric: FAME) { graphVersion } }`, /Value "FAME" does not exist in "CentralityMetric" enum/],
    ['first of 0', `{ providerRanking(metric: DEGREE, first: 0) { graphVersion } }`, /first: must be from 1 to 1000/],
    ['first of 1001', `{ consumerRanking(metric: DEGREE, first: 1001) { graphVersion } }`, /first: must be from 1 to 1000/],
    ['a weight on a hop-count metric', `{ providerRanking(metric: CLOSENESS, weight: COUNT) { graphVersion } }`, /weight: CLOSENESS counts hops and takes no weight/],
    ['a malformed ID', `{ connectionPath(from: "nonsense", to: "nonsense") { __typename } }`, /from: must be the ID of a Consumer or a Provider/],
  ])('refuses %s with a message naming the problem', async (_name, query, message) => {
    const result = await execute(query);
    expect(Object.values(result.data ?? {})).toEqual(result.data ? [null] : []);
    expect(result.errors?.[0].message).toMatch(message);
  });

  it('refuses the ID of a relation as a path end', async () => {
    const relation = await purchase(ids.b2, ids.B1);
    const result = await execute(PATH, { from: relation.id, to: ids.a1 });
    expect(result.errors?.[0].message).toMatch(/from: must be the ID of a Consumer or a Provider/);
  });
});

describe('fresh answers while writes stream in', () => {
  const RANKING = `query ($consistency: Consistency) {
    providerRanking(metric: PAGERANK, first: 10, consistency: $consistency) {
      graphVersion changesBehind entries { score provider { name } }
    }
  }`;

  it('answers at once from the last computation, says how far behind it is, and catches up in the background', async () => {
    const current = (await run(RANKING, { consistency: 'LATEST' })).providerRanking;
    expect(current.changesBehind).toBe(0);

    await purchase(ids.b1, ids.A2);
    await purchase(ids.b2, ids.A2);
    const tasks = analytics().runner.tasksRun;
    const stale = (await run(RANKING)).providerRanking;
    expect(stale).toEqual({ ...current, changesBehind: 2 });

    // The stale answer started one recomputation; asking for the latest waits for it, and no other.
    const latest = (await run(RANKING, { consistency: 'LATEST' })).providerRanking;
    expect(analytics().runner.tasksRun).toBe(tasks + 1);
    expect(latest.graphVersion).toBe(current.graphVersion + 2);
    expect(latest.changesBehind).toBe(0);
    expect(latest.entries).not.toEqual(current.entries);
    expect((await run(RANKING)).providerRanking).toEqual(latest);
  });

  it('keeps one answer whole: its scores belong to the version it reports, even when parties come and go meanwhile', async () => {
    const before = (await run(RANKING, { consistency: 'LATEST' })).providerRanking;
    const temporary = await createProvider({ name: 'temporary' });
    await purchase(ids.a1, temporary.id);
    await run(`mutation ($id: ID!) { deleteProvider(id: $id, cascade: true) { __typename } }`, { id: temporary.id });
    const after = (await run(RANKING)).providerRanking;
    expect(after.graphVersion).toBe(before.graphVersion);
    expect(after.entries).toEqual(before.entries);
    const latest = (await run(RANKING, { consistency: 'LATEST' })).providerRanking;
    expect(latest.entries.map((entry: any) => entry.provider.name)).not.toContain('temporary');
    // The same graph again, computed warm from the last answer: equal within the iteration's tolerance.
    expect(latest.entries.map((entry: any) => entry.provider)).toEqual(before.entries.map((entry: any) => entry.provider));
    latest.entries.forEach((entry: any, index: number) => expect(entry.score).toBeCloseTo(before.entries[index].score, 9));
  });
});

describe('per-node scores', () => {
  it("reads a result's scores in a snapshot's node order: its own snapshot's, or a later one's with newcomers at 0", async () => {
    const service = analytics();
    const result = await service.centrality('DEGREE', null, 'NONE');
    const own = service.projection.snapshot();
    expect(own.version).toBe(result.graphVersion);
    const scoreAt = (snapshot: typeof own, node: number) => result.scoreOf(partyAt(snapshot, node).party, snapshot.ids[node]);
    const scores = result.scoresOn(own);
    expect(Array.from(scores, (_, node) => scoreAt(own, node))).toEqual(Array.from(scores));
    expect(Math.max(...scores)).toBeGreaterThan(0);

    const newcomer = Number(decodeGlobalID((await createConsumer({ name: 'newcomer' })).id).id);
    await service.projection.refresh();
    const later = service.projection.snapshot();
    expect(later.version).toBeGreaterThan(own.version);
    expect(later.ids).toHaveLength(own.ids.length + 1);
    const carried = result.scoresOn(later);
    expect(carried).toHaveLength(later.ids.length);
    later.ids.forEach((id, node) => {
      const isNewcomer = partyAt(later, node).party === 'consumer' && id === newcomer;
      expect(scoreAt(later, node) === null).toBe(isNewcomer);
      expect(carried[node]).toBe(scoreAt(later, node) ?? 0);
    });
  });
});
