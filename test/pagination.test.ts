import { createConsumer } from './support/factories';
import { execute, run } from './support/graphql';

const PAGE = `query ($first: Int, $after: String, $last: Int, $before: String, $orderBy: ConsumerOrder) {
  consumers(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    totalCount
    edges { cursor node { name email } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

// Seven consumers, with names that tie, so that ordering must fall back to the ID.
const NAMES = ['Mia', 'Ada', 'Mia', 'Zoe', 'Ada', 'Mia', 'Bob'];

beforeAll(async () => {
  for (const [index, name] of NAMES.entries()) await createConsumer({ name, email: `p${index}@example.com` });
});

async function pageThrough(orderBy: Record<string, string>, pageSize: number) {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = await run(PAGE, { first: pageSize, after, orderBy });
    seen.push(...data.consumers.edges.map((edge: { node: { email: string } }) => edge.node.email));
    if (!data.consumers.pageInfo.hasNextPage) return seen;
    after = data.consumers.pageInfo.endCursor;
  }
}

describe('cursor pagination', () => {
  it.each([1, 2, 3, 7, 10])('visits every consumer exactly once, in a stable order, in pages of %i', async (size) => {
    const all = await run(PAGE, { first: 100, orderBy: { field: 'NAME' } });
    const expected = all.consumers.edges.map((edge: { node: { email: string } }) => edge.node.email);
    expect(all.consumers.edges.map((edge: { node: { name: string } }) => edge.node.name)).toEqual(
      [...NAMES].sort(),
    );
    expect(await pageThrough({ field: 'NAME' }, size)).toEqual(expected);
    expect(new Set(expected).size).toBe(NAMES.length);
  });

  it('breaks ties by ID in the direction asked for', async () => {
    const ascending = await run(PAGE, { first: 10, orderBy: { field: 'NAME', direction: 'ASC' } });
    const descending = await run(PAGE, { first: 10, orderBy: { field: 'NAME', direction: 'DESC' } });
    const emails = (data: any) => data.consumers.edges.map((edge: { node: { email: string } }) => edge.node.email);
    expect(emails(descending)).toEqual([...emails(ascending)].reverse());
  });

  it('pages backwards with last and before', async () => {
    const all = await run(PAGE, { first: 100 });
    const lastTwo = await run(PAGE, { last: 2 });
    expect(lastTwo.consumers.edges.map((edge: any) => edge.node.email)).toEqual(
      all.consumers.edges.slice(-2).map((edge: any) => edge.node.email),
    );
    expect(lastTwo.consumers.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const previous = await run(PAGE, { last: 2, before: lastTwo.consumers.pageInfo.startCursor });
    expect(previous.consumers.edges.map((edge: any) => edge.node.email)).toEqual(
      all.consumers.edges.slice(-4, -2).map((edge: any) => edge.node.email),
    );
  });

  it('reports the edges of the list: empty pages and the total count', async () => {
    const all = await run(PAGE, { first: 100 });
    expect(all.consumers.totalCount).toBe(NAMES.length);
    expect(all.consumers.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    const past = await run(PAGE, { first: 5, after: all.consumers.pageInfo.endCursor });
    expect(past.consumers.edges).toEqual([]);
    expect(past.consumers.pageInfo.hasNextPage).toBe(false);
    const none = await run(PAGE, { first: 0 });
    expect(none.consumers.edges).toEqual([]);
  });

  it('refuses a negative page size with a clear error', async () => {
    const result = await execute(PAGE, { first: -1 });
    expect(result.errors?.[0].message).toBe('Argument "first" must be a non-negative integer');
  });
});
