import { encodeGlobalID } from '@pothos/plugin-relay';
import { MAX_NODE_IDS } from '../src/schema/lookups';
import { COST_LIMITS } from '../src/server/protection';
import { createConsumer, createProvider, recordRelation } from './support/factories';
import { execute, keyFor, run } from './support/graphql';

/**
 * Relay's Global Object Identification: `node` answers null for an ID that names nothing (never
 * created, or deleted) of any type, `nodes` keeps positions with null, and to a non-admin an ID it
 * may not see answers exactly as a missing one, on every lookup by ID.
 */

type Role = 'anonymous' | 'consumer' | 'provider' | 'admin';
const ROLES: Role[] = ['anonymous', 'consumer', 'provider', 'admin'];
const TYPES = ['Consumer', 'Provider', 'Relation'] as const;

let world: Awaited<ReturnType<typeof createWorld>>;

/** P1's customer C1 (the consumer caller) with relation R1; C3 only P2's, with R3; and one deleted object of each type. */
async function createWorld() {
  const [p1, p2] = [await createProvider(), await createProvider()];
  const [c1, c3] = [await createConsumer(), await createConsumer()];
  const r1 = await recordRelation({ consumerId: c1.id, providerId: p1.id, kind: 'FAVORITE' });
  const r3 = await recordRelation({ consumerId: c3.id, providerId: p2.id, kind: 'FAVORITE' });
  const keys: Record<Role, string | null> = {
    anonymous: null,
    consumer: await keyFor('CONSUMER', c1.id),
    provider: await keyFor('PROVIDER', p1.id),
    admin: await keyFor('ADMIN'),
  };
  return { ids: { p1: p1.id, p2: p2.id, c1: c1.id, c3: c3.id, r1: r1.id, r3: r3.id }, deleted: await deletedIds(), keys };
}

/** The IDs of a consumer, a provider and a relation that existed and were deleted through the API. */
async function deletedIds(): Promise<Record<(typeof TYPES)[number], string>> {
  const [provider, consumer, other] = [await createProvider(), await createConsumer(), await createConsumer()];
  const relation = await recordRelation({ consumerId: other.id, providerId: provider.id, kind: 'FAVORITE' });
  const deletion = '{ __typename ... on Deletion { deletedId } }';
  await run(`mutation ($id: ID!) { deleteRelation(id: $id) ${deletion} }`, { id: relation.id });
  await run(`mutation ($id: ID!) { deleteConsumer(id: $id) ${deletion} }`, { id: consumer.id });
  await run(`mutation ($id: ID!) { deleteProvider(id: $id, cascade: true) ${deletion} }`, { id: provider.id });
  return { Consumer: consumer.id, Provider: provider.id, Relation: relation.id };
}

beforeAll(async () => {
  world = await createWorld();
});

/** What each role may see: everything for admins, providers for everyone, else the caller's own. */
function visibleTo(role: Role) {
  const { ids } = world;
  const all = Object.values(ids);
  return {
    anonymous: [ids.p1, ids.p2],
    consumer: [ids.p1, ids.p2, ids.c1, ids.r1],
    provider: [ids.p1, ids.p2, ids.c1, ids.r1],
    admin: all,
  }[role];
}

const NODE = 'query ($id: ID!) { node(id: $id) { __typename id } }';
const NODES = 'query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }';

describe.each(ROLES)('as %s', (role) => {
  const ask = (query: string, variables: Record<string, unknown>) => execute(query, variables, { key: world.keys[role] });

  it.each(TYPES)('node answers null, without an error, for a deleted %s and for one never created', async (type) => {
    for (const id of [world.deleted[type], encodeGlobalID(type, 987654321)]) {
      expect(await ask(NODE, { id })).toEqual({ data: { node: null } });
    }
  });

  it('node answers each object the role may see, with its type, and null for the others', async () => {
    for (const id of Object.values(world.ids)) {
      const { data, errors } = await ask(NODE, { id });
      expect(errors).toBeUndefined();
      expect(data.node?.id ?? null).toBe(visibleTo(role).includes(id) ? id : null);
    }
  });

  it('nodes keeps every position: objects where visible, null for missing, deleted and invisible IDs', async () => {
    const ids = [...Object.values(world.ids), ...Object.values(world.deleted), world.ids.p1];
    const { data, errors } = await ask(NODES, { ids });
    expect(errors).toBeUndefined();
    expect(data.nodes.map((node: { id: string } | null) => node?.id ?? null)).toEqual(
      ids.map((id) => (visibleTo(role).includes(id) ? id : null)),
    );
    expect(data.nodes.find((node: { id: string } | null) => node?.id === world.ids.p1)).toEqual({ __typename: 'Provider', id: world.ids.p1 });
  });

  it.each([
    ['consumer', 'c3', 'Consumer'],
    ['relation', 'r3', 'Relation'],
  ] as const)('%s(id) answers an invisible ID exactly as a missing one', async (field, hidden, type) => {
    const query = `query ($id: ID!) { ${field}(id: $id) { id } }`;
    const forbidden = await ask(query, { id: world.ids[hidden] });
    const missing = await ask(query, { id: world.deleted[type] });
    expect(missing).toEqual({ data: { [field]: null } });
    expect(forbidden).toEqual(role === 'admin' ? { data: { [field]: { id: world.ids[hidden] } } } : missing);
  });

  it('provider(id) answers null for a deleted provider', async () => {
    expect(await ask('query ($id: ID!) { provider(id: $id) { id } }', { id: world.deleted.Provider })).toEqual({
      data: { provider: null },
    });
  });

  it.each([
    ['node', NODE, { id: 'not-an-id' }, 'id'],
    ['node', NODE, { id: Buffer.from('Consumer:abc').toString('base64') }, 'id'],
    ['nodes', NODES, { ids: [encodeGlobalID('Provider', 1), 'bm9wZQ=='] }, 'ids.1'],
    ['consumer', 'query ($id: ID!) { consumer(id: $id) { id } }', { id: '%%%' }, 'id'],
  ])('%s refuses a malformed ID with a typed input error naming the argument', async (_field, query, variables, argument) => {
    const { data, errors } = await ask(query, variables);
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(new RegExp(`^Invalid input: ${argument.replace('.', '\\.')}: ".*" is not a valid ID`)),
        extensions: { code: 'InvalidInputError' },
      }),
    ]);
    expect(Object.values(data ?? { field: null })).toEqual([null]);
  });
});

it('node answers null for a well-formed ID of a type that has no objects', async () => {
  expect(await execute(NODE, { id: encodeGlobalID('Nothing', 1) })).toEqual({ data: { node: null } });
});

it('nodes refuses more than 100 IDs before reading any', async () => {
  const ids = Array.from({ length: 101 }, (_, index) => encodeGlobalID('Provider', index + 1));
  const { errors } = await execute(NODES, { ids });
  expect(errors).toEqual([
    expect.objectContaining({ message: 'nodes(ids:) has a list of 101 items; at most 100 are accepted', extensions: { code: 'INPUT_TOO_LARGE' } }),
  ]);
  expect(MAX_NODE_IDS).toBe(COST_LIMITS.maxListItems); // what the schema documents is what is enforced
});

describe('relationshipWith an ID that names nobody', () => {
  const QUERY = 'query ($provider: ID!, $consumer: ID!) { provider(id: $provider) { relationshipWith(consumerId: $consumer) { strength } } }';

  it('is null for a provider, exactly as for a consumer that is not its customer', async () => {
    const ask = (consumer: string) => execute(QUERY, { provider: world.ids.p1, consumer }, { key: world.keys.provider });
    const missing = await ask(world.deleted.Consumer);
    expect(missing).toEqual({ data: { provider: { relationshipWith: null } } });
    expect(await ask(world.ids.c3)).toEqual(missing);
  });

  it('is a NotFoundError for admins, who may see every consumer', async () => {
    const { errors } = await execute(QUERY, { provider: world.ids.p1, consumer: world.deleted.Consumer });
    expect(errors?.map((error) => error.extensions?.code)).toEqual(['NotFoundError']);
  });
});
