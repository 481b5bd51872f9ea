import { createPubSub } from 'graphql-yoga';
import { analytics } from '../analytics';
import type { CentralityMetric } from '../analytics/centrality';
import { db } from '../db/client';
import { onChange } from '../domain/changes';
import { NotFoundError } from '../domain/errors';
import type { Provider, Relation } from '../generated/prisma/client';
import { CentralityMetricEnum, ProviderRanking, type Ranked, ranking } from './analytics';
import { builder, type Context } from './builder';
import { parseId } from './ids';
import { RelationNode } from './relation';

/** How many of a ranking's first entries `rankingChanged` watches. */
export const WATCHED_RANKING_ENTRIES = 10;

type LiveEvents = {
  relationRecorded: [providerId: number, relation: Relation];
  rankingChanged: [metric: CentralityMetric, change: { metric: CentralityMetric }];
};

/**
 * Events for subscriptions, in this process's memory. To share them between server processes,
 * give createPubSub an `eventTarget` (for example @graphql-yoga/redis-event-target's).
 */
export const liveEvents = createPubSub<LiveEvents>();

onChange((change) => {
  if (change.type === 'relationRecorded') liveEvents.publish('relationRecorded', change.relation.providerId, change.relation);
});

/**
 * Publishes `rankingChanged` when the providers in the first entries of a watched ranking, or
 * their ranks, differ after a write. Only metrics someone subscribes to are recomputed.
 */
class RankingWatch {
  private readonly watched = new Map<CentralityMetric, { subscribers: number; top?: string }>();
  private checks: Promise<void> = Promise.resolve();
  private listening = false;

  async watch(metric: CentralityMetric): Promise<() => void> {
    this.listen();
    let entry = this.watched.get(metric);
    if (!entry) {
      entry = { subscribers: 0 };
      this.watched.set(metric, entry);
      try {
        entry.top = await topProviders(metric);
      } catch (error) {
        if (entry.subscribers === 0) this.watched.delete(metric);
        throw error;
      }
    }
    entry.subscribers++;
    return () => {
      if (--entry.subscribers === 0) this.watched.delete(metric);
    };
  }

  /** Listens after the projection (created by `analytics()`), so each check sees the write. */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    analytics();
    onChange(() => {
      // A failed check (say, during shutdown) is made good by the next write's check.
      this.checks = this.checks.then(() => this.checkAll()).catch(() => undefined);
    });
  }

  private async checkAll(): Promise<void> {
    for (const [metric, entry] of this.watched) {
      const top = await topProviders(metric);
      if (entry.top !== undefined && entry.top !== top) liveEvents.publish('rankingChanged', metric, { metric });
      entry.top = top;
    }
  }
}

async function topProviders(metric: CentralityMetric): Promise<string> {
  const result = await analytics().centrality(metric, null, 'NONE');
  return result
    .top('provider', WATCHED_RANKING_ENTRIES)
    .map(({ id, rank }) => `${id}:${rank}`)
    .join(',');
}

const rankingWatch = new RankingWatch();

/** Ends `events` when the subscriber leaves, then runs `release`. */
async function* releasingWhenDone<T>(events: AsyncIterable<T>, release: () => void): AsyncGenerator<T> {
  try {
    yield* events;
  } finally {
    release();
  }
}

/**
 * Every subscription opens here: the one place where a check of who may watch which events
 * belongs (a provider its own relations, an operator the rankings).
 */
function openSubscription(context: Context, topic: 'relationRecorded', providerId: number): Promise<AsyncIterable<Relation>>;
function openSubscription(context: Context, topic: 'rankingChanged', metric: CentralityMetric): Promise<AsyncIterable<{ metric: CentralityMetric }>>;
async function openSubscription(
  _context: Context,
  topic: keyof LiveEvents,
  id: number | CentralityMetric,
): Promise<AsyncIterable<unknown>> {
  if (topic === 'relationRecorded') return liveEvents.subscribe(topic, id as number);
  const metric = id as CentralityMetric;
  const release = await rankingWatch.watch(metric);
  return releasingWhenDone(liveEvents.subscribe(topic, metric), release);
}

builder.subscriptionFields((t) => ({
  relationRecorded: t.field({
    type: RelationNode,
    description: 'Each relation recorded with this provider from now on, as it is recorded.',
    args: { providerId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, context) => {
      const providerId = parseId(args.providerId, 'Provider', 'providerId');
      if (!(await db().provider.findUnique({ where: { id: providerId }, select: { id: true } }))) {
        throw new NotFoundError('Provider', 'providerId');
      }
      return openSubscription(context, 'relationRecorded', providerId);
    },
    resolve: (relation) => relation,
  }),
  rankingChanged: t.field({
    type: ProviderRanking,
    description: `The provider ranking by a metric, each time its first ${WATCHED_RANKING_ENTRIES} entries change after a write (over all relation kinds, unweighted).`,
    args: { metric: t.arg({ type: CentralityMetricEnum, required: true }) },
    subscribe: (_root, { metric }, context) => openSubscription(context, 'rankingChanged', metric),
    resolve: ({ metric }) => ranking<Ranked<Provider>>('provider', { metric, first: WATCHED_RANKING_ENTRIES }),
  }),
}));
