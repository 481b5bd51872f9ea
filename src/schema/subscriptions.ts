import { createPubSub } from 'graphql-yoga';
import { analytics } from '../analytics/serving';
import type { CentralityMetric } from '../analytics/graph/centrality';
import { db } from '../db/client';
import type { Caller } from '../auth/caller';
import { assertStillValid } from '../auth/keys';
import { config } from '../config';
import { onCommitted } from '../domain/changes';
import { createLogger } from '../server/logger';
import { type LivePubSub, createPubSub as createLivePubSub } from '../server/pubsub';
import { NotFoundError } from '../domain/errors';
import type { Provider } from '../generated/prisma/client';
import { CentralityMetricEnum, ProviderRanking, type Ranked, ranking } from './analytics';
import { builder } from './builder';
import { idForScope, parseId } from './ids';
import { RelationNode } from './relation';
import type { MembershipEvent } from '../analytics/serving/segment-memberships';

/** How many of a ranking's first entries `rankingChanged` watches. */
const WATCHED_RANKING_ENTRIES = 10;

/** Events every server process must see: through Redis when REDIS_URL is set. */
type SharedEvents = {
  relationRecorded: [providerId: number, event: { relationId: number }];
  graphChanged: [event: { at: number }];
  segmentMembershipChanged: [segmentId: number, event: MembershipEvent];
};

/** Events each process raises for its own subscribers (every process watches rankings itself). */
type LocalEvents = {
  rankingChanged: [metric: CentralityMetric, change: { metric: CentralityMetric }];
};

let shared: LivePubSub<SharedEvents> | undefined;

/** Created on first use, so that importing the schema (say, to print it) opens no Redis connection. */
function sharedEvents(): LivePubSub<SharedEvents> {
  if (!shared) {
    const logger = createLogger(config().logLevel);
    shared = createLivePubSub<SharedEvents>(config().redisUrl, (error) =>
      logger.warn({ err: error }, 'live events could not go through Redis'),
    );
  }
  return shared;
}

export async function closeSharedEvents(): Promise<void> {
  await shared?.close();
  shared = undefined;
}
const localEvents = createPubSub<LocalEvents>();

/** Announces a consumer entering or leaving a saved segment to every process's subscribers. */
export function publishSegmentMembership(event: MembershipEvent): void {
  sharedEvents().pubSub.publish('segmentMembershipChanged', event.segmentId, event);
}

/** A saved segment's entries and exits, until the caller's key is revoked. */
export function segmentMembershipEvents(caller: Caller, segmentId: number): AsyncIterable<MembershipEvent> {
  return untilRevoked(caller, sharedEvents().pubSub.subscribe('segmentMembershipChanged', segmentId));
}

onCommitted(({ change, relation }) => {
  if (change.type === 'relationRecorded' && relation) {
    sharedEvents().pubSub.publish('relationRecorded', relation.providerId, { relationId: relation.id });
  }
  sharedEvents().pubSub.publish('graphChanged', { at: Date.now() });
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

  /** Checks after every write, by any process: the analytics read the change log first. */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    void (async () => {
      for await (const _write of sharedEvents().pubSub.subscribe('graphChanged')) {
        // A failed check (say, during shutdown) is made good by the next write's check.
        this.checks = this.checks.then(() => this.checkAll()).catch(() => undefined);
      }
    })();
  }

  private async checkAll(): Promise<void> {
    for (const [metric, entry] of this.watched) {
      const top = await topProviders(metric);
      if (entry.top !== undefined && entry.top !== top) localEvents.publish('rankingChanged', metric, { metric });
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

async function watchRanking(metric: CentralityMetric): Promise<AsyncIterable<{ metric: CentralityMetric }>> {
  const release = await rankingWatch.watch(metric);
  return releasingWhenDone(localEvents.subscribe('rankingChanged', metric), release);
}

/** How often a quiet stream checks that its key is still valid. */
const REVOCATION_CHECK_MS = 10_000;
const QUIET = Symbol('quiet');

/**
 * Ends the stream, with one AuthenticationError, once the caller's key is revoked: at the next
 * event, or within REVOCATION_CHECK_MS when none comes. A revoked key gets nothing more, and
 * holds no connection. (An iterator rather than a generator: a generator awaiting a quiet period
 * could not be ended when its client leaves.)
 */
function untilRevoked<T>(caller: Caller, events: AsyncIterable<T>): AsyncIterableIterator<T> {
  const iterator = events[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const stop = async (): Promise<IteratorResult<T>> => {
    closed = true;
    clearTimeout(timer);
    await iterator.return?.();
    return { done: true, value: undefined };
  };
  const next = async (): Promise<IteratorResult<T>> => {
    const pending = iterator.next();
    for (;;) {
      const quiet = new Promise<typeof QUIET>((resolve) => (timer = setTimeout(resolve, REVOCATION_CHECK_MS, QUIET).unref()));
      const result = await Promise.race([pending, quiet]);
      clearTimeout(timer);
      if (closed) return { done: true, value: undefined };
      try {
        await assertStillValid(caller);
      } catch (error) {
        await stop();
        throw error;
      }
      if (result !== QUIET) return result;
    }
  };
  return {
    next,
    return: stop,
    throw: async (error: unknown) => {
      await stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

builder.subscriptionFields((t) => ({
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
      return untilRevoked(caller, sharedEvents().pubSub.subscribe('relationRecorded', providerId));
    },
    resolve: ({ relationId }) => db().relation.findUniqueOrThrow({ where: { id: relationId } }),
  }),
  rankingChanged: t.field({
    type: ProviderRanking,
    description: `The provider ranking by a metric, each time its first ${WATCHED_RANKING_ENTRIES} entries change after a write (over all relation kinds, unweighted); admins only.`,
    args: { metric: t.arg({ type: CentralityMetricEnum, required: true, description: 'Which centrality ranks the providers.' }) },
    authScopes: { admin: true },
    subscribe: async (_root, { metric }, { caller }) => untilRevoked(caller, await watchRanking(metric)),
    resolve: ({ metric }, _args, { caller }) =>
      ranking<Ranked<Provider>>('provider', { metric, first: WATCHED_RANKING_ENTRIES, consistency: 'LATEST' }, caller),
  }),
}));
