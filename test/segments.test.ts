import seedrandom from 'seedrandom';
import { analytics, segmentMemberships } from '../src/analytics/serving';
import { type MembershipEvent, SegmentMemberships } from '../src/analytics/serving/segment-memberships';
import { lastChangeId } from '../src/db/change-log';
import { db } from '../src/db/client';
import { driver } from '../src/db/driver';
import { parseGlobalId } from '../src/schema/ids';
import { createConsumer, createProvider, recordRelation } from './support/factories';
import { execute, keyFor, run } from './support/graphql';

// Saved segments through the API: after random writes (relations recorded and deleted, consent
// given and withdrawn), the members equal a brute-force evaluation of the definition over the
// writes this test made (a model), and every entry and exit was announced; the definition is
// per consumer, so after its first evaluation only the consumers the writes named are re-tested.

const DAY = 24 * 60 * 60 * 1000;
const KINDS = ['PURCHASE', 'REVIEW', 'FAVORITE'] as const;

interface ModelRelation {
  id: string;
  consumer: number;
  provider: number;
  kind: (typeof KINDS)[number];
  occurredAt: number;
  amountMinor: number | null;
}

const consumers: { id: string; number: number }[] = [];
const providers: { id: string; number: number }[] = [];
const relations: ModelRelation[] = [];
const consent = new Map<number, boolean>();

beforeAll(async () => {
  for (let index = 0; index < 10; index++) {
    const { id } = await createConsumer({ name: `Consumer ${index}` });
    consumers.push({ id, number: parseGlobalId(id, 'id').id });
    consent.set(consumers[index].number, false);
  }
  for (let index = 0; index < 3; index++) {
    const { id } = await createProvider({ name: `Provider ${index}` });
    providers.push({ id, number: parseGlobalId(id, 'id').id });
  }
});

const CREATE = `mutation ($input: SegmentInput!, $provider: ID) {
  createSegment(input: $input, provider: $provider) {
    __typename
    ... on CreateSegmentSuccess { segment { id } }
    ... on InvalidInputError { issues { field message } }
  }
}`;

async function membersOf(segmentId: string, key?: string): Promise<number[]> {
  const ids: number[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = await run(
      `query ($id: ID!, $after: String) { segment(id: $id) { members(first: 4, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
      { id: segmentId, after },
      { key },
    );
    ids.push(...data.segment.members.edges.map((edge: any) => parseGlobalId(edge.node.id, 'id').id));
    if (!data.segment.members.pageInfo.hasNextPage) return ids.sort((a, b) => a - b);
    after = data.segment.members.pageInfo.endCursor;
  }
}

// The definition: (two or more purchases over 20.00 EUR in total in the last 30 days, and no
// marketing consent) or (any relation with provider 1, but no review of it).
function definition() {
  return {
    or: [
      {
        and: [
          { relations: { kinds: ['PURCHASE'], window: { last: 'P30D' }, minCount: 2, amount: { currency: 'EUR', min: 2000 } } },
          { not: { marketingConsent: true } },
        ],
      },
      {
        and: [
          { relations: { provider: providers[1].id, minCount: 1 } },
          { relations: { provider: providers[1].id, kinds: ['REVIEW'], maxCount: 0 } },
        ],
      },
    ],
  };
}

function bruteForce(now: number): number[] {
  const since = Math.ceil(now / (60 * 60 * 1000)) * 60 * 60 * 1000 - 30 * DAY;
  return consumers
    .map(({ number }) => number)
    .filter((consumer) => {
      const own = relations.filter((relation) => relation.consumer === consumer);
      const purchases = own.filter((relation) => relation.kind === 'PURCHASE' && relation.occurredAt >= since);
      const spent = purchases.reduce((sum, relation) => sum + (relation.amountMinor ?? 0), 0);
      const first = purchases.length >= 2 && spent >= 2000 && !consent.get(consumer);
      const withProvider = own.filter((relation) => relation.provider === providers[1].number);
      const second = withProvider.length >= 1 && !withProvider.some((relation) => relation.kind === 'REVIEW');
      return first || second;
    })
    .sort((a, b) => a - b);
}

async function randomWrite(random: () => number): Promise<void> {
  const choice = random();
  if (choice < 0.6 || relations.length === 0) {
    const kind = KINDS[Math.floor(random() * KINDS.length)];
    const consumer = consumers[Math.floor(random() * consumers.length)];
    const provider = providers[Math.floor(random() * providers.length)];
    const occurredAt = Date.now() - Math.floor(random() * 60) * DAY - 60_000;
    const amountMinor = kind === 'PURCHASE' ? 500 + Math.floor(random() * 2000) : null;
    const extra = kind === 'PURCHASE' ? { amountMinor, currency: 'EUR' } : kind === 'REVIEW' ? { rating: 4 } : {};
    const { id } = await recordRelation({ consumerId: consumer.id, providerId: provider.id, kind, occurredAt: new Date(occurredAt).toISOString(), ...extra });
    relations.push({ id, consumer: consumer.number, provider: provider.number, kind, occurredAt, amountMinor });
  } else if (choice < 0.8) {
    const [removed] = relations.splice(Math.floor(random() * relations.length), 1);
    await run(`mutation ($id: ID!) { deleteRelation(id: $id) { __typename } }`, { id: removed.id });
  } else {
    const consumer = consumers[Math.floor(random() * consumers.length)];
    const given = !consent.get(consumer.number);
    await run(`mutation ($id: ID!, $given: Boolean!) { updateConsumer(id: $id, input: { marketingConsent: $given }) { __typename } }`, {
      id: consumer.id,
      given,
    });
    consent.set(consumer.number, given);
  }
}

it('members equal a brute-force evaluation of the definition after random writes, and each change is announced', async () => {
  const created = await run(CREATE, { input: { name: 'Lapsing buyers', definition: definition() } });
  expect(created.createSegment.__typename).toBe('CreateSegmentSuccess');
  const segmentId = created.createSegment.segment.id;
  const segmentNumber = parseGlobalId(segmentId, 'id').id;
  const announced = new Set<number>();
  const stop = segmentMemberships().onChange((event: MembershipEvent) => {
    if (event.segmentId !== segmentNumber) return;
    if (event.entered) announced.add(event.consumerId);
    else announced.delete(event.consumerId);
  });
  try {
    const random = seedrandom('segments');
    let sawMembers = false;
    expect(await membersOf(segmentId)).toEqual(bruteForce(Date.now())); // the first evaluation tests every candidate
    const { evaluations } = segmentMemberships();
    const before = { ...evaluations };
    for (let round = 0; round < 24; round++) {
      for (let write = 0; write < 2; write++) await randomWrite(random);
      const expected = bruteForce(Date.now());
      const members = await membersOf(segmentId);
      expect(members).toEqual(expected);
      expect([...announced].sort((a, b) => a - b)).toEqual(expected);
      const { segment } = await run(`query ($id: ID!) { segment(id: $id) { memberCount } }`, { id: segmentId });
      expect(segment.memberCount).toBe(expected.length);
      sawMembers ||= expected.length > 0;
    }
    expect(sawMembers).toBe(true);
    // The definition reads only each consumer's own relations and consent: after the writes, only
    // the consumers they named were tested (all of them, had the hour turned during the test).
    expect(evaluations.perConsumer - before.perConsumer + evaluations.full - before.full).toBeGreaterThanOrEqual(6);
    expect(evaluations.perConsumer - before.perConsumer).toBeGreaterThanOrEqual(5);
  } finally {
    stop();
  }
});

it('re-tests a consumer whose consent changed, and only that consumer', async () => {
  const created = await run(CREATE, { input: { name: 'Reachable', definition: { marketingConsent: true } } });
  const segmentId = created.createSegment.segment.id;
  const consenting = () => consumers.map(({ number }) => number).filter((number) => consent.get(number));
  expect(await membersOf(segmentId)).toEqual(consenting());
  const { evaluations } = segmentMemberships();
  for (const consumer of consumers.slice(0, 4)) {
    const before = { ...evaluations };
    const given = !consent.get(consumer.number);
    await run(`mutation ($id: ID!, $given: Boolean!) { updateConsumer(id: $id, input: { marketingConsent: $given }) { __typename } }`, {
      id: consumer.id,
      given,
    });
    consent.set(consumer.number, given);
    expect(await membersOf(segmentId)).toEqual(consenting());
    expect(evaluations.full).toBe(before.full);
    expect(evaluations.perConsumer).toBeGreaterThan(before.perConsumer);
  }
});

describe('provider segments', () => {
  it('hold only the provider’s own customers, and hide small counts', async () => {
    const key = await keyFor('PROVIDER', providers[0].id);
    const created = await run(CREATE, { input: { name: 'Any', definition: { relations: { minCount: 1 } } } }, { key });
    const segmentId = created.createSegment.segment.id;
    const customers = [...new Set(relations.filter((relation) => relation.provider === providers[0].number).map((relation) => relation.consumer))];
    expect(await membersOf(segmentId, key)).toEqual(customers.sort((a, b) => a - b));
    const { segment } = await run(`query ($id: ID!) { segment(id: $id) { memberCount } }`, { id: segmentId }, { key });
    expect(segment.memberCount).toBe(customers.length >= 5 ? customers.length : null);
    const other = await keyFor('PROVIDER', providers[1].id);
    expect((await run(`query ($id: ID!) { segment(id: $id) { id } }`, { id: segmentId }, { key: other })).segment).toBeNull();
  });

  it('may not read the graph beyond the provider’s own relations, nor name another provider', async () => {
    const key = await keyFor('PROVIDER', providers[0].id);
    const refused = await run(
      CREATE,
      {
        input: {
          name: 'Too wide',
          definition: { and: [{ community: { index: 0 } }, { strength: { provider: providers[2].id, min: 0.5 } }] },
        },
      },
      { key },
    );
    expect(refused.createSegment.issues).toEqual([
      { field: 'input.definition.and.0.community', message: expect.stringContaining('platform segments only') },
      { field: 'input.definition.and.1.strength.providerId', message: 'a provider’s segment may only name that provider' },
    ]);
  });
});

describe('definitions are validated with field-level errors', () => {
  it.each([
    [{ relations: { minCount: 3, maxCount: 1 } }, 'input.definition.relations.max', 'must not be less than `min`'],
    [{ relations: { kinds: ['PURCHASE'] } }, 'input.definition.relations', 'must bound the count'],
    [{ relations: { minCount: 1, window: { last: 'P1000Y' } } }, 'input.definition.relations.window.last', 'must be at most 3660 days'],
    [{ strength: { min: 0.5 } }, 'input.definition.strength.providerId', 'is required in a platform segment'],
    [{ and: [] }, 'input.definition.and', 'must have from 1 to 16 conditions'],
    [{ marketingConsent: true, not: { marketingConsent: false } }, 'input.definition', 'must set exactly one of'],
    [{ centrality: { metric: 'PAGERANK' } }, 'input.definition.centrality', 'must set exactly one of maxRank and topPercent'],
    [{ distance: { provider: 'UHJvdmlkZXI6OTk5OTk=', maxHops: 2 } }, 'input.definition', 'names a provider that does not exist'],
  ])('%j', async (condition, field, message) => {
    const refused = await run(CREATE, { input: { name: 'Bad', definition: condition } });
    expect(refused.createSegment.issues).toContainEqual({ field, message: expect.stringContaining(message) });
  });

  it('nesting past the bound', async () => {
    let condition: object = { marketingConsent: true };
    for (let level = 0; level < 8; level++) condition = { not: condition };
    const refused = await run(CREATE, { input: { name: 'Deep', definition: condition } });
    expect(refused.createSegment.issues[0].message).toContain('nests deeper than 6 levels');
  });

  it('consumers may not save segments', async () => {
    const key = await keyFor('CONSUMER', consumers[0].id);
    const response = await execute(CREATE, { input: { name: 'Mine', definition: { marketingConsent: true } } }, { key });
    expect(response.errors?.[0].extensions?.code).toBe('ForbiddenError');
  });
});

it('closing waits for the evaluation a burst of writes started, so none reads a closed database', async () => {
  await run(CREATE, { input: { name: 'Closing', definition: { marketingConsent: true } } });
  let started = false;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const memberships = new SegmentMemberships(analytics(), db(), driver(), async () => {
    started = true;
    await held;
    return lastChangeId();
  });
  memberships.writeCommitted();
  while (!started) await new Promise((resolve) => setTimeout(resolve, 10));
  let closed = false;
  const closing = memberships.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(closed).toBe(false);
  release();
  await closing;
  expect(closed).toBe(true);
});
