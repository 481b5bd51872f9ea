import { db } from '../db/client';
import { NotFoundError } from '../domain/errors';
import type { Provider } from '../generated/prisma/client';
import { graphWrites, rankingChanges, relationsRecorded } from '../live/events';
import { WATCHED_RANKING_ENTRIES } from '../live/ranking';
import { untilRevoked } from '../live/streams';
import { CentralityMetricEnum, ProviderRanking, type Ranked, ranking } from './analytics';
import { builder } from './builder';
import { idForScope, parseId } from './ids';
import { RelationNode } from './relation';

const GraphChange = builder.objectRef<{ at: number }>('GraphChange').implement({
  description: 'A change to the relation graph: a relation recorded, changed or deleted, or a party deleted.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When the change was committed.', resolve: (change) => new Date(change.at) }),
  }),
});

builder.subscriptionFields((t) => ({
  graphChanged: t.field({
    type: GraphChange,
    description: 'Each change to the relation graph from now on, by any server process (what the explorer redraws on); admins only.',
    authScopes: { admin: true },
    subscribe: (_root, _args, { caller }) => untilRevoked(caller, graphWrites()),
    resolve: (change) => change,
  }),
  relationRecorded: t.field({
    type: RelationNode,
    description: 'Each relation recorded with this provider from now on, as it is recorded; for the provider and admins.',
    args: { providerId: t.arg.id({ required: true, description: 'Global ID of the provider.' }) },
    authScopes: (_root, { providerId }) => ({ admin: true, provider: idForScope(providerId, 'Provider') }),
    subscribe: async (_root, args, { caller }) => {
      const providerId = parseId(args.providerId, 'Provider', 'providerId');
      if (!(await db().provider.findUnique({ where: { id: providerId }, select: { id: true } }))) {
        throw new NotFoundError('Provider', 'providerId');
      }
      return untilRevoked(caller, relationsRecorded(providerId));
    },
    resolve: ({ relationId }) => db().relation.findUniqueOrThrow({ where: { id: relationId } }),
  }),
  rankingChanged: t.field({
    type: ProviderRanking,
    description: `The provider ranking by a metric, each time its first ${WATCHED_RANKING_ENTRIES} entries change after a write (over all relation kinds, unweighted); admins only.`,
    args: { metric: t.arg({ type: CentralityMetricEnum, required: true, description: 'Which centrality ranks the providers.' }) },
    authScopes: { admin: true },
    subscribe: async (_root, { metric }, { caller }) => untilRevoked(caller, await rankingChanges(metric)),
    resolve: ({ metric }, _args, { caller }) =>
      ranking<Ranked<Provider>>('provider', { metric, first: WATCHED_RANKING_ENTRIES, consistency: 'LATEST' }, caller),
  }),
}));
