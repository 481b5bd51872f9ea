import { encodeGlobalID } from '@pothos/plugin-relay';
import { analytics } from '../analytics/serving';
import { lastChangeId } from '../db/change-log';
import type { CentralityMetric } from '../analytics/graph/centrality';
import { type Overview, communityOverview, graphOverview } from '../analytics/graph/overview';
import { nodeKey } from '../analytics/graph/adjacency';
import { type GraphSnapshot, partyAt } from '../analytics/graph/snapshot';
import type { CentralityResult, CommunityPartition, Computed } from '../analytics/serving/service';
import { InvalidInputError } from '../domain/errors';
import { AnalyticsAnswer, CentralityMetricEnum, asking, consistencyArgs } from './analytics';
import { builder } from './builder';
import { type Entity, PartyUnion, loadParties } from './parties';

/** Nodes of an overview, at most: what a browser lays out and draws smoothly. */
export const MAX_OVERVIEW_NODES = 500;
const DEFAULT_OVERVIEW_NODES = 200;
/** Edges per node of the answer, at most. */
const EDGES_PER_NODE = 4;

interface OverviewNodeShape {
  key: string;
  entity: Entity | null;
  community: number | null;
  score: number | null;
  consumerCount: number;
  providerCount: number;
}

interface OverviewShape extends Computed {
  metric: CentralityMetric;
  aggregated: boolean;
  totalNodes: number;
  totalEdges: number;
  communityCount: number;
  nodes: OverviewNodeShape[];
  edges: { source: string; target: string; weight: number }[];
}

const OverviewNodeRef = builder.objectRef<OverviewNodeShape>('OverviewNode').implement({
  description: 'A node of the graph overview: a consumer or provider, or a whole community drawn as one node.',
  fields: (t) => ({
    key: t.exposeID('key', { description: 'Names the node within this overview: the global ID of its party, or community:<index>.' }),
    party: t.field({
      type: PartyUnion,
      nullable: true,
      description: 'The consumer or provider; null for a community.',
      resolve: (node) => node.entity,
    }),
    community: t.exposeInt('community', {
      nullable: true,
      description: 'Index of its community (0 the largest), as `communities` numbers them; null when the partition predates the node.',
    }),
    score: t.exposeFloat('score', { nullable: true, description: 'Its score for the overview’s metric; null for a community.' }),
    consumerCount: t.exposeInt('consumerCount', { description: 'Consumers it stands for: 1 or 0 for a party, the members for a community.' }),
    providerCount: t.exposeInt('providerCount', {
      description: 'Providers it stands for: 1 or 0 for a party, the members for a community (providers also drawn on their own included).',
    }),
  }),
});

const OverviewEdgeRef = builder.objectRef<OverviewShape['edges'][number]>('OverviewEdge').implement({
  description: 'A tie between two overview nodes.',
  fields: (t) => ({
    source: t.exposeID('source', { description: 'The key of one end.' }),
    target: t.exposeID('target', { description: 'The key of the other end.' }),
    weight: t.exposeFloat('weight', {
      description: 'Relations between two parties; consumer–provider pairs across, when a community is an end.',
    }),
  }),
});

const GraphOverviewRef = builder.objectRef<OverviewShape>('GraphOverview').implement({
  description:
    'What a map of the relation graph draws: every node and edge of a small graph, else the most central providers and the largest communities as single nodes, with the ties between them.',
  interfaces: [AnalyticsAnswer],
  fields: (t) => ({
    metric: t.field({ type: CentralityMetricEnum, description: 'The centrality that scores parties and picks the providers shown.', resolve: (o) => o.metric }),
    aggregated: t.exposeBoolean('aggregated', { description: 'False when every node and edge of the graph (of the community, when one is opened up) is here.' }),
    totalNodes: t.exposeInt('totalNodes', { description: 'Consumers and providers in the whole graph.' }),
    totalEdges: t.exposeInt('totalEdges', { description: 'Consumer–provider pairs with relations in the whole graph.' }),
    communityCount: t.exposeInt('communityCount', { description: 'Communities in the whole graph.' }),
    nodes: t.field({ type: [OverviewNodeRef], description: `At most \`limit\` (up to ${MAX_OVERVIEW_NODES}).`, resolve: (o) => o.nodes }),
    edges: t.field({
      type: [OverviewEdgeRef],
      description: `The heaviest ties between the nodes, at most ${EDGES_PER_NODE} per node of the limit.`,
      resolve: (o) => o.edges,
    }),
  }),
});

type PartiesShown = Pick<OverviewShape, 'nodes' | 'edges'>;

interface ComputedOverview {
  snapshot: GraphSnapshot;
  overview: Overview;
  computedAt: Date;
  /** The parties' rows as of a change log position: any write (a rename, an erasure) moves it. */
  parties?: { changeId: number; loading: Promise<PartiesShown> };
}

/**
 * Overviews by the answers they were computed from: the service returns the same answer objects
 * until the graph changes, so this caches per graph version and forgets old versions by itself.
 */
const overviews = new WeakMap<CentralityResult, WeakMap<CommunityPartition, Map<string, ComputedOverview>>>();

/** What an overview shows: the whole graph, or one community opened up. */
interface OverviewRequest {
  limit: number;
  community: number | null;
}

function cachedOverview(centrality: CentralityResult, partition: CommunityPartition, request: OverviewRequest): ComputedOverview {
  let byPartition = overviews.get(centrality);
  if (!byPartition) overviews.set(centrality, (byPartition = new WeakMap()));
  let byRequest = byPartition.get(partition);
  if (!byRequest) byPartition.set(partition, (byRequest = new Map()));
  const key = `${request.limit}:${request.community ?? 'all'}`;
  let computed = byRequest.get(key);
  if (!computed) {
    computed = computeOverview(centrality, partition, request);
    byRequest.set(key, computed);
  }
  return computed;
}

function computeOverview(centrality: CentralityResult, partition: CommunityPartition, { limit, community }: OverviewRequest): ComputedOverview {
  const snapshot = analytics().projection.snapshot();
  const input = { snapshot, membership: partition.communities.membershipOn(snapshot), scores: centrality.scoresOn(snapshot), communityCount: partition.communities.count };
  const options = { limit, maxEdges: limit * EDGES_PER_NODE };
  const overview = community === null ? graphOverview(input, options) : communityOverview(input, community, options);
  return { snapshot, overview, computedAt: new Date() };
}

/**
 * The rows of the overview's parties, loaded again only after a write: requests for the map
 * repeat, and reading 200 rows was a fifth of a cached answer's time.
 */
async function partiesShown(computed: ComputedOverview): Promise<PartiesShown> {
  const changeId = await lastChangeId();
  if (computed.parties?.changeId !== changeId) {
    const loading = withParties(computed);
    computed.parties = { changeId, loading };
    loading.catch(() => computed.parties?.loading === loading && delete computed.parties);
  }
  return computed.parties.loading;
}

/** The overview with rows for its parties; a party deleted since is left out, with its edges. */
async function withParties({ snapshot, overview }: ComputedOverview): Promise<PartiesShown> {
  const parties = overview.nodes.flatMap((node) => (node.kind === 'party' ? [partyAt(snapshot, node.node)] : []));
  const rows = new Map((await loadParties(parties)).map(({ party, entity }) => [nodeKey(party.party, party.id), entity]));
  const keys: (string | null)[] = [];
  const nodes: OverviewNodeShape[] = [];
  for (const node of overview.nodes) {
    if (node.kind === 'community') {
      keys.push(`community:${node.community}`);
      nodes.push({ key: keys.at(-1)!, entity: null, community: node.community, score: null, consumerCount: node.consumers, providerCount: node.providers });
      continue;
    }
    const { party, id } = partyAt(snapshot, node.node);
    const entity = rows.get(nodeKey(party, id));
    keys.push(entity ? encodeGlobalID(party === 'consumer' ? 'Consumer' : 'Provider', id) : null);
    if (!entity) continue;
    const consumer = party === 'consumer' ? 1 : 0;
    nodes.push({ key: keys.at(-1)!, entity, community: node.community < 0 ? null : node.community, score: node.score, consumerCount: consumer, providerCount: 1 - consumer });
  }
  const edges = overview.edges.flatMap(({ source, target, weight }) => {
    const [from, to] = [keys[source], keys[target]];
    return from && to ? [{ source: from, target: to, weight }] : [];
  });
  return { nodes, edges };
}

builder.queryFields((t) => ({
  graphOverview: t.field({
    type: GraphOverviewRef,
    description:
      'The relation graph as a map draws it (the explorer at /explorer): all of it when it has at most `limit` nodes, else an aggregate of bounded size; or one community opened up (`community`). Cached per graph version; admins only.',
    authScopes: { admin: true },
    args: {
      ...consistencyArgs,
      limit: t.arg.int({ defaultValue: DEFAULT_OVERVIEW_NODES, description: `Nodes in the answer, at most: 1 to ${MAX_OVERVIEW_NODES}.` }),
      metric: t.arg({ type: CentralityMetricEnum, defaultValue: 'PAGERANK', description: 'Which centrality scores the nodes and picks the providers shown.' }),
      community: t.arg.int({
        required: false,
        description:
          'Open up this community (its index, as `communities` and the overview’s super-nodes number them): its most central members, at most `limit`, and the ties between them.',
      }),
    },
    resolve: async (_root, { limit, metric, consistency, community }, context) => {
      const chosen = limit ?? DEFAULT_OVERVIEW_NODES;
      if (!(chosen >= 1 && chosen <= MAX_OVERVIEW_NODES)) throw InvalidInputError.of('limit', `must be from 1 to ${MAX_OVERVIEW_NODES}`);
      const chosenMetric = metric ?? 'PAGERANK';
      const who = asking(context.caller, consistency);
      const [centrality, partition] = await Promise.all([
        analytics().centrality(chosenMetric, null, 'NONE', who),
        analytics().communities(null, 1, 'NONE', who),
      ]);
      const communityCount = partition.communities.count;
      if (community != null && !(community >= 0 && community < communityCount)) {
        throw InvalidInputError.of('community', communityCount === 0 ? 'names no community: the graph has none' : `must be from 0 to ${communityCount - 1}`);
      }
      const computed = cachedOverview(centrality, partition, { limit: chosen, community: community ?? null });
      const { overview } = computed;
      return {
        graphVersion: Math.min(centrality.graphVersion, partition.graphVersion),
        computedAt: computed.computedAt,
        window: null,
        metric: chosenMetric,
        aggregated: overview.aggregated,
        totalNodes: overview.totalNodes,
        totalEdges: overview.totalEdges,
        communityCount: overview.communityCount,
        ...(await partiesShown(computed)),
      };
    },
  }),
}));
