import type { Party } from '../db/party';
import { resolveOffsetConnection } from '@pothos/plugin-relay';
import { analytics } from '../analytics/serving';
import type { Community } from '../analytics/serving/communities';
import { CENTRALITY_METRICS, type CentralityMetric, UNWEIGHTED_METRICS } from '../analytics/graph/centrality';
import {
  type Asking,
  CONSISTENCIES,
  type CommunityPartition,
  type Computed,
  type Consistency,
  type HistoryPoint,
  type RankedParty,
} from '../analytics/serving/service';
import type { Caller } from '../auth/caller';
import type { GraphStatistics } from '../analytics/graph/kernels/components';
import { EDGE_WEIGHTS, type EdgeWeight } from '../analytics/graph/weights';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import { DAY_MS, INTERVALS, MAX_HISTORY_POINTS, MAX_WINDOW_MS, type TimeWindow, type WindowInput, resolveWindow } from '../analytics/serving/window';
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

export const WindowInputRef = builder.inputType('WindowInput', {
  description:
    'A time window: only relations that occurred in it count. Either `from` and `to`, or `last` (a rolling window ending at the start of the next hour, so that answers can be cached). ' +
    `At most ${MAX_WINDOW_MS / DAY_MS} days long.`,
  fields: (t) => ({
    from: t.field({ type: 'DateTime', required: false, description: 'Relations that occurred at or after this time.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Relations that occurred before this time.' }),
    last: t.string({
      required: false,
      description: 'An ISO-8601 duration in years, months, weeks, days or hours, such as P90D, P12W, P1Y or PT6H.',
    }),
  }),
});

export const AnswerWindowRef = builder.objectRef<TimeWindow>('AnswerWindow').implement({
  description: 'The time window an answer covers: relations that occurred from `from` (included) to `to` (excluded).',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Start of the window, included.', resolve: (window) => new Date(window.from) }),
    to: t.field({ type: 'DateTime', description: 'End of the window, excluded.', resolve: (window) => new Date(window.to) }),
  }),
});

export const windowArgs = builder.args((t) => ({
  window: t.field({ type: WindowInputRef, required: false, description: 'Only relations in this time window count; all time when left out.' }),
}));

/** What every whole-graph answer says about the graph it was computed on. */
export const AnalyticsAnswer = builder.interfaceRef<Computed>('AnalyticsAnswer').implement({
  description: 'A whole-graph answer: the graph version it was computed on, when, over which time window, and how far behind the current graph that is.',
  fields: (t) => ({
    window: t.field({
      type: AnswerWindowRef,
      nullable: true,
      description: 'The time window of relations the answer covers; null for all time.',
      resolve: (answer) => answer.window,
    }),
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
  ...windowArgs,
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
      resolve: async (entity, { metric, kinds, weight, consistency, window }, context) => {
        const chosenWeight = checkedWeight(metric, weight);
        const result = await analytics().centrality(metric, kinds, chosenWeight, asking(context.caller, consistency), resolveWindow(window));
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

interface Ranking<Entity> extends Computed {
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
    window?: WindowInput | null;
  },
  caller: Caller,
): Promise<Ranking<Ranked['entity']>> {
  const first = args.first ?? 10;
  if (first < 1 || first > MAX_RANKING) throw InvalidInputError.of('first', `must be from 1 to ${MAX_RANKING}`);
  const weight = checkedWeight(args.metric, args.weight);
  const result = await analytics().centrality(args.metric, args.kinds, weight, asking(caller, args.consistency), resolveWindow(args.window));
  const loaded = await loadParties(result.top(party, first));
  return {
    graphVersion: result.graphVersion,
    computedAt: result.computedAt,
    window: result.window,
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

const CommunityRef = builder.objectRef<Community>('Community').implement({
  description: 'A group of consumers and providers more connected with each other than with the rest of the graph.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: '0 for the largest community, then by size.' }),
    size: t.exposeInt('size', { description: 'Members: consumers and providers.' }),
    consumerCount: t.exposeInt('consumerCount', { description: 'Consumers among the members.' }),
    providerCount: t.int({ description: 'Providers among the members.', resolve: (community) => community.size - community.consumerCount }),
    members: t.connection({
      type: PartyUnion,
      description: 'The consumers and providers of this community.',
      resolve: async (community, args) => {
        // Only the page's members are made: the largest community holds tens of thousands.
        const page = await resolveOffsetConnection({ args, totalCount: community.size }, ({ offset, limit }) => community.members(offset, limit));
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
    count: t.int({ description: 'How many communities.', resolve: (partition) => partition.communities.count }),
    communities: t.connection({
      type: CommunityRef,
      description: 'Largest first.',
      resolve: ({ communities }, args) =>
        resolveOffsetConnection({ args, totalCount: communities.count }, ({ offset, limit }) => communities.page(offset, limit)),
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
      ...windowArgs,
      resolution: t.arg.float({
        defaultValue: 1,
        description: 'Above 1 favours more, smaller communities; below 1 fewer, larger ones. From 0.01 to 100.',
      }),
      weight: t.arg({ type: EdgeWeightEnum, defaultValue: 'NONE', description: 'What an edge weighs for modularity.' }),
    },
    resolve: (_root, { kinds, resolution, weight, consistency, window }, context) => {
      const chosen = resolution ?? 1;
      if (!(chosen >= 0.01 && chosen <= 100)) throw InvalidInputError.of('resolution', 'must be from 0.01 to 100');
      return analytics().communities(kinds, chosen, weight ?? 'NONE', asking(context.caller, consistency), resolveWindow(window));
    },
  }),
  graphStats: t.field({
    type: GraphStatisticsRef,
    description: 'Size and shape of the relation graph.',
    authScopes: { authenticated: true },
    args: { ...graphArgs, ...consistencyArgs, ...windowArgs },
    resolve: (_root, { kinds, consistency, window }, context) =>
      analytics().statistics(kinds, asking(context.caller, consistency), resolveWindow(window)),
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

const IntervalEnum = builder.enumType('HistoryInterval', {
  description: 'The period of one history point: a UTC day, an ISO week (from Monday, UTC) or a calendar month.',
  values: INTERVALS,
});

const HistoryPointRef = builder.objectRef<HistoryPoint>('ProviderHistoryPoint').implement({
  description: 'A provider in one period: its rank among providers by a centrality metric over that period’s relations, and its relations.',
  fields: (t) => ({
    window: t.field({ type: AnswerWindowRef, description: 'The period.', resolve: (point) => point.window }),
    rank: t.exposeInt('rank', { description: '1 for the highest score among providers; equal scores share a rank.' }),
    score: t.exposeFloat('score', { description: 'The centrality score over the period’s relations.' }),
    relationCount: t.exposeInt('relationCount', { description: 'The provider’s relations that occurred in the period.' }),
    graphVersion: t.exposeInt('graphVersion', { description: 'The version of the relation graph this point was computed on.' }),
  }),
});

builder.objectField(ProviderNode, 'history', (t) =>
  t.field({
    type: [HistoryPointRef],
    description: `This provider's centrality rank and relation count per period over a time window, oldest first, at most ${MAX_HISTORY_POINTS} points; for the provider and admins.`,
    authScopes: (provider) => ({ admin: true, provider: provider.id }),
    args: {
      metric: t.arg({ type: CentralityMetricEnum, required: true, description: 'Which centrality ranks providers in each period.' }),
      interval: t.arg({ type: IntervalEnum, required: false, defaultValue: 'WEEK', description: 'The period of one point.' }),
      window: t.arg({ type: WindowInputRef, required: true, description: 'The range the points cover; each period overlapping it counts whole.' }),
      ...consistencyArgs,
    },
    resolve: (provider, { metric, interval, window, consistency }, context) =>
      analytics().providerHistory(provider.id, metric, interval ?? 'WEEK', resolveWindow(window)!, asking(context.caller, consistency)),
  }),
);
