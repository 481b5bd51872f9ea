import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { WebhookSettings } from '../../config';
import type { Db } from '../../db/client';
import type { Logger } from '../../server/logger';
import { graphWrites } from '../events';
import { DeliveryWorker } from './deliveries';
import { fanOut, skipWithoutEndpoints } from './fan-out';

export interface WebhookDispatcher {
  /** Stops looking for work and waits for the attempts in progress. */
  stop(): Promise<void>;
}

/** How long past one attempt's timeout a stopping dispatcher waits for the work under way. */
const STOP_MARGIN_MS = 1_000;
/**
 * Back-to-back rounds start at least this far apart: under a stream of writes, one round fans out
 * every write since the last (each round costs several queries once an endpoint exists), and
 * events wait at most this much longer.
 */
const MIN_ROUND_GAP_MS = 100;

/**
 * Runs webhooks in this server process: fans new change log entries out to endpoints, and makes
 * due delivery attempts. It works every `pollMs`, and at once after a write to the graph (from any
 * process, through the live events) or after an attempt ends.
 */
export function startWebhookDispatcher(database: Db, settings: WebhookSettings, logger: Logger): WebhookDispatcher {
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const worker = new DeliveryWorker(database, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, settings, logger, () => wake());

  const work = async () => {
    // Without endpoints there are no deliveries either: a write stream costs two statements a round.
    if (await skipWithoutEndpoints(database)) return;
    while (await fanOut(database, settings)) {
      if (stopped) return;
    }
    if (!stopped) await worker.startDue();
  };
  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    const started = Date.now();
    running = work()
      .catch((error: unknown) => logger.warn({ err: error }, 'webhook dispatch failed; retrying at the next poll'))
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, again ? Math.max(0, started + MIN_ROUND_GAP_MS - Date.now()) : 0).unref()))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          wake();
        }
      });
  };
  const polling = setInterval(wake, settings.pollMs).unref();
  const writes = graphWrites()[Symbol.asyncIterator]();
  void (async () => {
    for (let next = await writes.next(); !next.done && !stopped; next = await writes.next()) wake();
  })().catch(() => undefined);
  wake();

  return {
    async stop() {
      stopped = true;
      clearInterval(polling);
      await writes.return?.();
      // Bounded: a shutdown must not hang on webhooks. An attempt cut short keeps its lease, and
      // the delivery is retried once the lease expires, by this process's successor or another.
      const grace = new Promise((resolve) => setTimeout(resolve, settings.timeoutMs + STOP_MARGIN_MS).unref());
      await Promise.race([Promise.allSettled([running, worker.drain()]), grace]);
    },
  };
}

/** How long delivered and failed events stay in the delivery log, for reading and replays. */
export const WEBHOOK_LOG_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** How long segment entries and exits stay in their outbox once fanned out (fan-out reads them within seconds). */
const SEGMENT_OUTBOX_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes the events older than the retention that nobody is still owed, with their deliveries,
 * and the fanned-out segment outbox rows older than a day; says how many events it deleted.
 */
export async function pruneWebhookLog(database: Db, now = Date.now()): Promise<number> {
  const { count } = await database.webhookEvent.deleteMany({
    where: { createdAt: { lt: new Date(now - WEBHOOK_LOG_RETENTION_MS) }, deliveries: { none: { status: 'PENDING' } } },
  });
  const { segmentPosition } = await database.webhookCursor.findUniqueOrThrow({ where: { id: 1 } });
  await database.segmentMembershipEvent.deleteMany({ where: { id: { lte: segmentPosition }, createdAt: { lt: new Date(now - SEGMENT_OUTBOX_RETENTION_MS) } } });
  return count;
}
