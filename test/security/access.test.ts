import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { db } from '../../src/db/client';
import { parseId } from '../../src/schema/ids';
import { keyFor, execute } from '../support/graphql';
import { createConsumer, createProvider, recordRelation } from '../support/factories';

/**
 * The access table of docs/security.md, cell by cell, through the HTTP API: every entry point
 * against every role, on the caller's own data and on someone else's. Rows marked (lookup) refuse
 * by answering exactly as for an ID that names nothing.
 */

type Role = 'anonymous' | 'consumer' | 'provider' | 'admin';
const ROLES: Role[] = ['anonymous', 'consumer', 'provider', 'admin'];

interface Row {
  cells: Record<Role, string>;
  lookup: boolean;
}

function accessTable(): Map<string, Row> {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([^`]+)`( on an? \w+)?( \(lookup\))? \| (.+) \|$/gm)].filter(
    (row) => row[4].split(' | ').length === 4,
  );
  return new Map(
    rows.map((row) => {
      const cells = row[4].split(' | ').map((cell) => cell.trim());
      const byRole = Object.fromEntries(ROLES.map((role, index) => [role, cells[index]])) as Record<Role, string>;
      return [`${row[1]}${row[2] ?? ''}`, { cells: byRole, lookup: row[3] !== undefined }];
    }),
  );
}

/** Two providers and three consumers: C1 (the consumer caller, consented) and C2 are P1's customers; C3 is only P2's. */
async function createWorld() {
  const [p1, p2] = [await createProvider(), await createProvider()];
  const c1 = await createConsumer({ marketingConsent: true });
  const c2 = await createConsumer({ marketingConsent: false });
  const c3 = await createConsumer();
  const r1 = await recordRelation({ consumerId: c1.id, providerId: p1.id, kind: 'PURCHASE', amountMinor: 900, currency: 'EUR' });
  const r2 = await recordRelation({ consumerId: c2.id, providerId: p1.id, kind: 'REVIEW', rating: 4 });
  const r3 = await recordRelation({ consumerId: c3.id, providerId: p2.id, kind: 'PURCHASE', amountMinor: 500, currency: 'EUR' });
  const r4 = await recordRelation({ consumerId: c1.id, providerId: p2.id, kind: 'FAVORITE' });
  const keys: Record<Role, string | null> = {
    anonymous: null,
    admin: await keyFor('ADMIN'),
    consumer: await keyFor('CONSUMER', c1.id),
    provider: await keyFor('PROVIDER', p1.id),
  };
  const ids = { p1: p1.id, p2: p2.id, c1: c1.id, c2: c2.id, c3: c3.id, r1: r1.id, r2: r2.id, r3: r3.id, r4: r4.id };
  for (const consumer of [c1, c2, c3]) {
    await db().consumer.update({ where: { id: parseId(consumer.id, 'Consumer', 'id') }, data: { externalId: externalIdOf(consumer.id) } });
  }
  for (const provider of [p1, p2]) {
    await db().provider.update({ where: { id: parseId(provider.id, 'Provider', 'id') }, data: { externalId: externalIdOf(provider.id) } });
  }
  return { ids, keys };
}

type World = Awaited<ReturnType<typeof createWorld>>;
type Ids = World['ids'];
type Variables = { provider: string; consumer: string; relation: string };

/** IDs of each type that name nothing. */
const missing: Variables = {
  provider: encodeGlobalID('Provider', 987654321),
  consumer: encodeGlobalID('Consumer', 987654321),
  relation: encodeGlobalID('Relation', 987654321),
};

const own = (ids: Ids): Variables => ({ provider: ids.p1, consumer: ids.c1, relation: ids.r1 });
const others = (ids: Ids): Variables => ({ provider: ids.p2, consumer: ids.c3, relation: ids.r3 });

/** The targets a cell allows and refuses for a role. */
function targets(cell: string, ids: Ids): { allowed?: Variables; refused?: Variables } {
  switch (cell) {
    case 'yes':
      return { allowed: others(ids) };
    case 'no':
      return { refused: own(ids) };
    case 'own':
      return { allowed: own(ids), refused: others(ids) };
    case 'customers':
      return { allowed: { ...own(ids), consumer: ids.c2, relation: ids.r2 }, refused: { ...own(ids), consumer: ids.c3 } };
    case 'consenting customers':
      return { allowed: own(ids), refused: { ...own(ids), consumer: ids.c2 } };
    default:
      throw new Error(`docs/security.md has a cell this test does not know: "${cell}"`);
  }
}

/** The external ID the world gives the party with this global ID. */
const externalIdOf = (globalId: string) => `ext-${Buffer.from(globalId).toString('hex')}`;

interface Probe {
  /** Uses any of $provider, $consumer, $relation. */
  document: string;
  /** The variables the document takes, from the targets' IDs; by default the IDs themselves. */
  variables?: (targets: Variables, ids: Ids) => Record<string, unknown>;
  /** For lists, which are filtered rather than refused: the IDs each role must see. */
  visible?: (ids: Ids, role: Role) => string[];
  /** Mutations get a fresh world each. */
  writes?: boolean;
}

const unique = () => Math.random().toString(36).slice(2);
const onProvider = (selection: string) => `query ($provider: ID!) { provider(id: $provider) { ${selection} } }`;
const onConsumer = (selection: string) => `query ($consumer: ID!) { consumer(id: $consumer) { ${selection} } }`;
const mutation = (signature: string, call: string) => `mutation ${signature} { ${call} { __typename } }`;

const PROBES: Record<string, Probe> = {
  'Query.providers': { document: '{ providers(first: 5) { edges { node { name } } } }' },
  'Query.provider': { document: onProvider('name category') },
  'Query.node on a provider': { document: 'query ($provider: ID!) { node(id: $provider) { id } }' },
  'Provider.stats': { document: onProvider('stats { relationCount revenue { amountMinor } }') },
  'Provider.relations': { document: onProvider('relations { totalCount }') },
  'Provider.consumers': { document: onProvider('consumers { totalCount }') },
  'Provider.relationships': { document: onProvider('relationships(first: 5) { edges { node { strength } } }') },
  'Provider.relationshipWith': {
    document: 'query ($provider: ID!, $consumer: ID!) { provider(id: $provider) { relationshipWith(consumerId: $consumer) { strength } } }',
  },
  'Provider.centrality': { document: onProvider('centrality(metric: PAGERANK)') },
  'Provider.similarProviders': { document: onProvider('similarProviders { similarity }') },
  'Query.consumer': { document: onConsumer('name') },
  'Query.consumerByExternalId': {
    document: 'query ($consumer: String!) { consumerByExternalId(externalId: $consumer) { name } }',
    variables: (targets) => ({ consumer: externalIdOf(targets.consumer) }),
  },
  'Query.providerByExternalId': {
    document: 'query ($provider: String!) { providerByExternalId(externalId: $provider) { name } }',
    variables: (targets) => ({ provider: externalIdOf(targets.provider) }),
  },
  'Query.relation': { document: 'query ($relation: ID!) { relation(id: $relation) { id } }' },
  'Query.node on a consumer': { document: 'query ($consumer: ID!) { node(id: $consumer) { id } }' },
  'Query.nodes on a consumer': { document: 'query ($consumer: ID!) { nodes(ids: [$consumer]) { id } }' },
  'Consumer.email': { document: onConsumer('email') },
  'Consumer.phone': { document: onConsumer('phone') },
  'Consumer.relations': { document: onConsumer('relations { edges { node { id } } }') },
  'Consumer.providers': { document: onConsumer('providers { totalCount }') },
  'Consumer.relationshipWith': {
    document: 'query ($consumer: ID!, $provider: ID!) { consumer(id: $consumer) { relationshipWith(providerId: $provider) { strength } } }',
  },
  'Consumer.centrality': { document: onConsumer('centrality(metric: DEGREE)') },
  'Consumer.recommendedProviders': { document: onConsumer('recommendedProviders { score }') },
  'Consumer.similarConsumers': { document: onConsumer('similarConsumers { similarity }') },
  'Query.consumers': {
    document: '{ consumers(first: 100) { edges { node { id } } } }',
    visible: (ids, role) => ({ consumer: [ids.c1], provider: [ids.c1, ids.c2] })[role as 'consumer'] ?? [ids.c1, ids.c2, ids.c3],
  },
  'Query.relations': {
    document: '{ relations(first: 100) { edges { node { id } } } }',
    visible: (ids, role) =>
      ({ consumer: [ids.r1, ids.r4], provider: [ids.r1, ids.r2] })[role as 'consumer'] ?? [ids.r1, ids.r2, ids.r3, ids.r4],
  },
  'Query.node on a relation': { document: 'query ($relation: ID!) { node(id: $relation) { id } }' },
  'Query.providerRanking': { document: '{ providerRanking(metric: PAGERANK) { entries { score } } }' },
  'Query.graphStats': { document: '{ graphStats { edges } }' },
  'Query.consumerRanking': { document: '{ consumerRanking(metric: PAGERANK) { entries { score } } }' },
  'Query.communities': { document: '{ communities { count } }' },
  'Query.connectionPath': {
    document: 'query ($consumer: ID!, $provider: ID!) { connectionPath(from: $consumer, to: $provider) { __typename } }',
  },
  'Query.auditLog': { document: '{ auditLog(first: 5) { edges { node { operation } } } }' },
  'Query.exportConsumerData': { document: 'query ($consumer: ID!) { exportConsumerData(id: $consumer) }' },
  'Query.viewer': { document: '{ viewer { role } }' },
  'Mutation.createConsumer': {
    writes: true,
    document: mutation('', `createConsumer(input: { name: "New", email: "new-${unique()}@example.com" })`),
  },
  'Mutation.updateConsumer': {
    writes: true,
    document: mutation('($consumer: ID!)', 'updateConsumer(id: $consumer, input: { name: "Renamed" })'),
  },
  'Mutation.eraseConsumer': { writes: true, document: mutation('($consumer: ID!)', 'eraseConsumer(id: $consumer)') },
  'Mutation.deleteConsumer': { writes: true, document: mutation('($consumer: ID!)', 'deleteConsumer(id: $consumer, cascade: true)') },
  'Mutation.upsertConsumer': {
    writes: true,
    document: mutation('', `upsertConsumer(externalId: "up-${unique()}", input: { name: "New", email: "up-${unique()}@example.com" })`),
  },
  'Mutation.mergeConsumers': {
    writes: true,
    document: mutation('($consumer: ID!, $from: [ID!]!)', 'mergeConsumers(into: $consumer, from: $from)'),
    variables: (targets, ids) => ({ consumer: targets.consumer, from: [ids.c2] }),
  },
  'Mutation.upsertProvider': {
    writes: true,
    document: mutation('', `upsertProvider(externalId: "up-${unique()}", input: { name: "New", contactEmail: "p@example.com", category: "misc" })`),
  },
  'Mutation.createProvider': {
    writes: true,
    document: mutation('', 'createProvider(input: { name: "New", contactEmail: "p@example.com", category: "misc" })'),
  },
  'Mutation.updateProvider': {
    writes: true,
    document: mutation('($provider: ID!)', 'updateProvider(id: $provider, input: { name: "Renamed" })'),
  },
  'Mutation.deleteProvider': { writes: true, document: mutation('($provider: ID!)', 'deleteProvider(id: $provider, cascade: true)') },
  'Mutation.recordRelation': {
    writes: true,
    document: mutation(
      '($consumer: ID!, $provider: ID!)',
      'recordRelation(input: { consumerId: $consumer, providerId: $provider, kind: FAVORITE })',
    ),
  },
  'Mutation.deleteRelation': { writes: true, document: mutation('($relation: ID!)', 'deleteRelation(id: $relation)') },
};

/** Only the variables a document declares, so that GraphQL does not refuse the others. */
function variablesFor(document: string, variables: Variables) {
  return Object.fromEntries(Object.entries(variables).filter(([name]) => document.includes(`$${name}:`)));
}

const table = accessTable();

it('has a probe for every row of the access table, and a row for every probe', () => {
  expect([...table.keys()].sort()).toEqual(Object.keys(PROBES).sort());
});

let shared: World;
beforeAll(async () => {
  shared = await createWorld();
});

/** The value of the document's one root field: null when a lookup found nothing the caller may see. */
const rootValue = (data: Record<string, unknown> | null | undefined) => Object.values(data ?? {})[0];
const isEmptyLookup = (value: unknown) => value === null || (Array.isArray(value) && value.every((item) => item === null));

describe.each([...table.entries()])('%s', (entryPoint, { cells, lookup }) => {
  const probe = PROBES[entryPoint];

  it.each(ROLES)('as %s', async (role) => {
    const world = probe.writes ? await createWorld() : shared;
    const { allowed, refused } = targets(cells[role], world.ids);
    const ask = (variables: Variables) =>
      execute(probe.document, probe.variables?.(variables, world.ids) ?? variablesFor(probe.document, variables), { key: world.keys[role] });

    // Refused first: an allowed eraseConsumer revokes the caller's own key.
    if (refused && !probe.visible) {
      const result = await ask(refused);
      if (lookup || (!result.errors && isEmptyLookup(rootValue(result.data)))) {
        // Refused by a lookup (this row's, or the one the document reads through): as if missing.
        expect(isEmptyLookup(rootValue(result.data))).toBe(true);
        expect(result).toEqual(await ask({ ...refused, ...variablesFor(probe.document, missing) }));
      } else {
        const code = role === 'anonymous' ? 'AuthenticationError' : 'ForbiddenError';
        expect(result.errors?.map((error) => error.extensions?.code)).toContain(code);
      }
    }
    if (allowed) {
      const result = await ask(allowed);
      expect(result.errors).toBeUndefined();
      expect(JSON.stringify(result.data)).not.toMatch(/"__typename":"\w+Error"/);
      if (probe.visible) {
        const list = Object.values(result.data!)[0] as { edges: { node: { id: string } }[] };
        expect(list.edges.map((edge) => edge.node.id).sort()).toEqual(probe.visible(world.ids, role).sort());
      }
    }
  });
});
