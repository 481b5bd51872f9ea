import { createPubSub } from 'graphql-yoga';
import type { CentralityMetric } from '../analytics/graph/centrality';
import type { MembershipEvent } from '../analytics/serving/segment-memberships';
import { config } from '../config';
import { onCommitted } from '../domain/changes';
import { createLogger } from '../server/logger';
import { type LivePubSub, createPubSub as createLivePubSub } from './pubsub';
import { rankingKey, topProviders } from './ranking';

/**
 * The one place live events come from. Subscriptions read them here as they happen; webhooks
 * read the same events durably from the change log (src/live/webhooks), and are woken here when a
 * write commits so that they need not wait for their next poll.
 */

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
    shared = createLivePubSub<SharedEvents>(config().redisUrl, (error) => logger.warn({ err: error }, 'live events could not go through Redis'));
  }
  return shared;
}

onCommitted(({ change, relation }) => {
  if (change.type === 'relationRecorded' && relation) {
    sharedEvents().pubSub.publish('relationRecorded', relation.providerId, { relationId: relation.id });
  }
  sharedEvents().pubSub.publish('graphChanged', { at: Date.now() });
});

export async function closeLiveEvents(): Promise<void> {
  await shared?.close();
  shared = undefined;
}

const localEvents = createPubSub<LocalEvents>();

/** The relations recorded with a provider from now on, by any server process. */
export function relationsRecorded(providerId: number): AsyncIterable<{ relationId: number }> {
  return sharedEvents().pubSub.subscribe('relationRecorded', providerId);
}

/** Announces a consumer entering or leaving a saved segment to every process's subscribers. */
export function publishSegmentMembership(event: MembershipEvent): void {
  sharedEvents().pubSub.publish('segmentMembershipChanged', event.segmentId, event);
}

/** A saved segment's entries and exits, by any server process. */
export function segmentMembershipEvents(segmentId: number): AsyncIterable<MembershipEvent> {
  return sharedEvents().pubSub.subscribe('segmentMembershipChanged', segmentId);
}

/** Each committed write to the graph, by any server process (a wake-up call: the change log says what). */
export function graphWrites(): AsyncIterable<{ at: number }> {
  return sharedEvents().pubSub.subscribe('graphChanged');
}

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
        entry.top = rankingKey(await topProviders(metric));
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
      for await (const _write of graphWrites()) {
        // A failed check (say, during shutdown) is made good by the next write's check.
        this.checks = this.checks.then(() => this.checkAll()).catch(() => undefined);
      }
    })();
  }

  private async checkAll(): Promise<void> {
    for (const [metric, entry] of this.watched) {
      const top = rankingKey(await topProviders(metric));
      if (entry.top !== undefined && entry.top !== top) localEvents.publish('rankingChanged', metric, { metric });
      entry.top = top;
    }
  }
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

/** Each change of a ranking's first entries from now on; the metric is watched while someone listens. */
export async function rankingChanges(metric: CentralityMetric): Promise<AsyncIterable<{ metric: CentralityMetric }>> {
  const release = await rankingWatch.watch(metric);
  return releasingWhenDone(localEvents.subscribe('rankingChanged', metric), release);
}
