import type { Party, PartyRef } from '../db/party';
import { resolveArrayConnection } from '@pothos/plugin-relay';
import { analytics } from '../analytics/serving';
import { CENTRALITY_METRICS, type CentralityMetric, UNWEIGHTED_METRICS } from '../analytics/graph/centrality';
import {
  type Asking,
  CONSISTENCIES,
  type CommunityPartition,
  type Computed,
  type Consistency,
  type RankedParty,
} from '../analytics/serving/service';
import type { Caller } from '../auth/caller';
import type { GraphStatistics } from '../analytics/graph/kernels/components';
import { EDGE_WEIGHTS, type EdgeWeight } from '../analytics/graph/weights';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import type { Consumer, Provider, RelationKind } from '../generated/prisma/client';
import { builder } from './builder';
import { ConsumerNode } from './consumer';
import { ProviderNode } from './provider';
import { PartyUnion, entityName, loadParties, partyOf } from './parties';
import { RelationKindEnum } from './relation';

export const CentralityMetricEnum = builder.enumType('CentralityMetric', {
  description: 'How central a node is; docs/analytics.md says what each means and costs.',
  values: CENTRALITY_METRICS,
});

const EdgeWeightEnum = builder.enumType('EdgeWeight', {
  description:
    'What an edge weighs: NONE (every pair 1), COUNT (the relations of the pair) or STRENGTH (the relationship strength, from 0 to 1).',
  values: EDGE_WEIGHTS,
});

const MAX_RANKING = 1000;

const ConsistencyEnum = builder.enumType('Consistency', {
  description:
    'How fresh a whole-graph answer must be. EVENTUAL: at once, from the last completed computation, while a newer one runs (`changesBehind` says by how much). LATEST: wait for an answer that includes every write made before the question.',
  values: CONSISTENCIES,
});

export const consistencyArgs = builder.args((t) => ({
  consistency: t.field({ type: ConsistencyEnum, required: false, defaultValue: 'EVENTUAL', description: 'How fresh the answer must be.' }),
}));

/** Who asks, for the per-caller share of whole-graph computations. */
export function asking(caller: Caller, consistency: Consistency | null | undefined): Asking {
  return { consistency: consistency ?? 'EVENTUAL', requester: 'keyId' in caller ? `key:${caller.keyId}` : 'anonymous' };
}

/** What every whole-graph answer says about the graph it was computed on. */
export const AnalyticsAnswer = builder.interfaceRef<Computed>('AnalyticsAnswer').implement({
  description: 'A whole-graph answer: the graph version it was computed on, when, and how far behind the current graph that is.',
  fields: (t) => ({
    graphVersion: t.exposeInt('graphVersion', { description: 'The version of the relation graph this answer was computed on.' }),
    computedAt: t.expose('computedAt', { type: 'DateTime', description: 'When this answer was computed.' }),
    changesBehind: t.int({
      description: 'Changes to the graph since that version; 0 when the answer is current.',
      resolve: (answer) => analytics().changesBehind(answer),
    }),
  }),
});

export const graphArgs = builder.args((t) => ({
  kinds: t.field({
    type: [RelationKindEnum],
    required: false,
    description: 'Only relations of these kinds make edges; all kinds when left out.',
  }),
}));

const centralityArgs = {
  ...graphArgs,
  ...consistencyArgs,
  ...builder.args((t) => ({
    metric: t.field({ type: CentralityMetricEnum, required: true, description: 'Which centrality to compute.' }),
    weight: t.field({
      type: EdgeWeightEnum,
      required: false,
      defaultValue: 'NONE',
      description: 'What an edge weighs; metrics that count hops take only NONE.',
    }),
  })),
};

const rankingArgs = {
  ...centralityArgs,
  ...builder.args((t) => ({ first: t.int({ required: false, defaultValue: 10, description: `1 to ${MAX_RANKING}.` }) })),
};

function checkedWeight(metric: CentralityMetric, weight: EdgeWeight | null | undefined): EdgeWeight {
  const chosen = weight ?? 'NONE';
  if (chosen !== 'NONE' && UNWEIGHTED_METRICS.has(metric)) {
    const instead = metric === 'DEGREE' ? '; WEIGHTED_DEGREE sums edge weights' : '';
    throw InvalidInputError.of('weight', `${metric} counts hops and takes no weight: use NONE${instead}`);
  }
  return chosen;
}

for (const [node, party] of [
  [ConsumerNode, 'consumer'],
  [ProviderNode, 'provider'],
] as const) {
  builder.objectField(node, 'centrality', (t) =>
    t.float({
      description: 'This node’s score for a centrality metric over the relation graph.',
      // A consumer's place in the network is its own business; providers' is the platform's.
      authScopes: (entity) => (party === 'consumer' ? { admin: true, consumer: entity.id } : { authenticated: true }),
      args: centralityArgs,
      resolve: async (entity, { metric, kinds, weight, consistency }, context) => {
        const result = await analytics().centrality(metric, kinds, checkedWeight(metric, weight), asking(context.caller, consistency));
        return result.scoreOf(party, entity.id) ?? 0;
      },
    }),
  );
}

export interface Ranked<Entity> {
  rank: number;
  score: number;
  entity: Entity;
}

interface Ranking<Entity> {
  graphVersion: number;
  computedAt: Date;
  approximate: boolean;
  sampleSize: number | null;
  entries: Ranked<Entity>[];
}

const ProviderRankingEntry = builder.objectRef<Ranked<Provider>>('ProviderRankingEntry').implement({
  description: 'One place of a provider ranking.',
  fields: (t) => ({ provider: t.field({ type: ProviderNode, description: 'The provider in this place.', resolve: (entry) => entry.entity }) }),
});

const ConsumerRankingEntry = builder.objectRef<Ranked<Consumer>>('ConsumerRankingEntry').implement({
  description: 'One place of a consumer ranking.',
  fields: (t) => ({ consumer: t.field({ type: ConsumerNode, description: 'The consumer in this place.', resolve: (entry) => entry.entity }) }),
});

for (const Entry of [ProviderRankingEntry, ConsumerRankingEntry]) {
  builder.objectFields(Entry as typeof ProviderRankingEntry, (t) => ({
    rank: t.exposeInt('rank', { description: '1 for the highest score; equal scores share a rank.' }),
    score: t.exposeFloat('score', { description: 'The centrality score; docs/analytics.md gives its scale per metric.' }),
  }));
}

function rankingType<Entity>(name: string, Entry: typeof ProviderRankingEntry | typeof ConsumerRankingEntry, what: string) {
  return builder.objectRef<Ranking<Entity>>(name).implement({
    description: `${what} ordered by a centrality metric over one version of the relation graph.`,
    interfaces: [AnalyticsAnswer],
    fields: (t) => ({
      entries: t.field({ type: [Entry] as never, description: 'Highest score first.', resolve: (ranking) => ranking.entries as never }),
      approximate: t.exposeBoolean('approximate', { description: 'True when the metric was estimated by sampling.' }),
      sampleSize: t.exposeInt('sampleSize', { nullable: true, description: 'Source nodes sampled, when approximate.' }),
    }),
  });
}

export const ProviderRanking = rankingType<Provider>('ProviderRanking', ProviderRankingEntry, 'Providers');
const ConsumerRanking = rankingType<Consumer>('ConsumerRanking', ConsumerRankingEntry, 'Consumers');

export async function ranking<Ranked extends { entity: unknown }>(
  party: Party,
  args: {
    metric: CentralityMetric;
    kinds?: RelationKind[] | null;
    weight?: EdgeWeight | null;
    first?: number | null;
    consistency?: Consistency | null;
  },
  caller: Caller,
): Promise<Ranking<Ranked['entity']>> {
  const first = args.first ?? 10;
  if (first < 1 || first > MAX_RANKING) throw InvalidInputError.of('first', `must be from 1 to ${MAX_RANKING}`);
  const weight = checkedWeight(args.metric, args.weight);
  const result = await analytics().centrality(args.metric, args.kinds, weight, asking(caller, args.consistency));
  const loaded = await loadParties(result.top(party, first));
  return {
    graphVersion: result.graphVersion,
    computedAt: result.computedAt,
    approximate: result.approximate,
    sampleSize: result.sampleSize,
    entries: loaded.map(({ party: ranked, entity }) => ({
      rank: (ranked as RankedParty).rank,
      score: (ranked as RankedParty).score,
      entity: entity as Ranked['entity'],
    })),
  };
}

builder.queryFields((t) => ({
  providerRanking: t.field({
    type: ProviderRanking,
    description: 'Providers ranked by a centrality metric, highest first.',
    authScopes: { authenticated: true },
    args: rankingArgs,
    resolve: (_root, args, context) => ranking<Ranked<Provider>>('provider', args, context.caller),
  }),
  consumerRanking: t.field({
    type: ConsumerRanking,
    description: 'Consumers ranked by a centrality metric, highest first; admins only.',
    authScopes: { admin: true },
    args: rankingArgs,
    resolve: (_root, args, context) => ranking<Ranked<Consumer>>('consumer', args, context.caller),
  }),
}));

interface CommunityShape {
  index: number;
  members: PartyRef[];
}

const Community = builder.objectRef<CommunityShape>('Community').implement({
  description: 'A group of consumers and providers more connected with each other than with the rest of the graph.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: '0 for the largest community, then by size.' }),
    size: t.int({ description: 'Members: consumers and providers.', resolve: (community) => community.members.length }),
    consumerCount: t.int({ description: 'Consumers among the members.', resolve: (community) => community.members.filter((m) => m.party === 'consumer').length }),
    providerCount: t.int({ description: 'Providers among the members.', resolve: (community) => community.members.filter((m) => m.party === 'provider').length }),
    members: t.connection({
      type: PartyUnion,
      description: 'The consumers and providers of this community.',
      resolve: async (community, args) => {
        const page = resolveArrayConnection({ args }, community.members);
        const loaded = await loadParties(page.edges.map((edge) => edge.node));
        const byParty = new Map(loaded.map(({ party, entity }) => [party, entity]));
        return {
          ...page,
          edges: page.edges.flatMap((edge) => {
            const entity = byParty.get(edge.node);
            return entity ? [{ ...edge, node: entity }] : [];
          }),
        };
      },
    }),
  }),
});

const CommunityPartitionRef = builder.objectRef<CommunityPartition>('CommunityPartition').implement({
  description: 'The relation graph split into communities by Louvain modularity optimisation.',
  interfaces: [AnalyticsAnswer],
  fields: (t) => ({
    modularity: t.exposeFloat('modularity', { description: 'Modularity of the split, from −0.5 to 1: higher means denser communities.' }),
    count: t.int({ description: 'How many communities.', resolve: (partition) => partition.communities.length }),
    communities: t.connection({
      type: Community,
      description: 'Largest first.',
      resolve: (partition, args) => resolveArrayConnection({ args }, partition.communities),
    }),
  }),
});

const GraphStatisticsRef = builder.objectRef<GraphStatistics & Computed>('GraphStats').implement({
  description: 'Size and shape of the relation graph: a node per consumer and provider, an edge per pair with relations.',
  interfaces: [AnalyticsAnswer],
  fields: (t) => ({
    consumers: t.exposeInt('consumers', { description: 'Consumer nodes (consumers with at least one relation of the kinds asked).' }),
    providers: t.exposeInt('providers', { description: 'Provider nodes (providers with at least one relation of the kinds asked).' }),
    edges: t.exposeInt('edges', { description: 'Consumer–provider pairs with at least one relation.' }),
    density: t.exposeFloat('density', { description: 'Edges over all possible node pairs, 2m / (n (n − 1)).' }),
    connectedComponents: t.exposeInt('connectedComponents', { description: 'Groups of nodes linked by paths, none to another group.' }),
    largestComponentSize: t.exposeInt('largestComponentSize', { description: 'Nodes in the largest connected component.' }),
  }),
});

builder.queryFields((t) => ({
  communities: t.field({
    type: CommunityPartitionRef,
    description:
      'Communities of consumers and providers (Louvain, seeded: the same graph always splits the same way); admins only.',
    authScopes: { admin: true },
    args: {
      ...graphArgs,
      ...consistencyArgs,
      resolution: t.arg.float({
        defaultValue: 1,
        description: 'Above 1 favours more, smaller communities; below 1 fewer, larger ones. From 0.01 to 100.',
      }),
      weight: t.arg({ type: EdgeWeightEnum, defaultValue: 'NONE', description: 'What an edge weighs for modularity.' }),
    },
    resolve: (_root, { kinds, resolution, weight, consistency }, context) => {
      const chosen = resolution ?? 1;
      if (!(chosen >= 0.01 && chosen <= 100)) throw InvalidInputError.of('resolution', 'must be from 0.01 to 100');
      return analytics().communities(kinds, chosen, weight ?? 'NONE', asking(context.caller, consistency));
    },
  }),
  graphStats: t.field({
    type: GraphStatisticsRef,
    description: 'Size and shape of the relation graph.',
    authScopes: { authenticated: true },
    args: { ...graphArgs, ...consistencyArgs },
    resolve: (_root, { kinds, consistency }, context) => analytics().statistics(kinds, asking(context.caller, consistency)),
  }),
  connectionPath: t.field({
    type: [PartyUnion],
    nullable: true,
    description:
      'The shortest chain of consumers and providers from one to the other (both included), or null when none exists; admins only.',
    authScopes: { admin: true },
    args: {
      from: t.arg.id({ required: true, description: 'Global ID of a consumer or a provider: where the path starts.' }),
      to: t.arg.id({ required: true, description: 'Global ID of a consumer or a provider: where the path ends.' }),
      ...graphArgs,
    },
    resolve: async (_root, { from, to, kinds }) => {
      const ends = { from: partyOf(from, 'from'), to: partyOf(to, 'to') };
      const found = await loadParties([ends.from, ends.to]);
      for (const [field, end] of Object.entries(ends)) {
        if (!found.some(({ party }) => party === end)) throw new NotFoundError(entityName(end), field);
      }
      const path = await analytics().connectionPath(ends.from, ends.to, kinds);
      return path && (await loadParties(path)).map(({ entity }) => entity);
    },
  }),
}));
