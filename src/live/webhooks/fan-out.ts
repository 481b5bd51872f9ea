import { randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { CentralityMetric } from '../../analytics/graph/centrality';
import type { WebhookSettings } from '../../config';
import type { Db } from '../../db/client';
import type { Transaction } from '../../db/change-log';
import { parseChange } from '../../domain/changes';
import type { WebhookCursor } from '../../generated/prisma/client';
import { type EventType, type LiveEvent, changesGraph, eventOfMembership, eventsOfChange, inScopeOf } from '../catalogue';
import { type RankingEntry, rankingKey, topProviders } from '../ranking';

/** Change log entries fanned out per transaction. */
const FAN_OUT_BATCH = 200;
/** Segment entries and exits fanned out per transaction (one event each). */
const SEGMENT_BATCH = 500;

interface Recipient {
  id: number;
  providerId: number | null;
  eventTypes: EventType[];
  rankingMetric: string | null;
  createdAt: Date;
  disabled: boolean;
  /** Deliveries pending while disabled. */
  held: number;
  missedFrom: Date | null;
  /** Events not queued by this fan-out, the endpoint being disabled with `held` at the bound. */
  missedNow: number;
}

interface DatedEvent extends LiveEvent {
  changeId: number | null;
  at: Date;
  metric?: CentralityMetric;
}

/** Events read from an outbox, and where the cursor moves once they are queued. */
interface Batch {
  events: DatedEvent[];
  cursor: Partial<Pick<WebhookCursor, 'position' | 'segmentPosition' | 'rankings'>>;
  consumed: number;
}

/** The endpoints an event goes to: subscribed to its type, in its scope, registered before it. */
function recipientsOf(event: DatedEvent, endpoints: Recipient[]): Recipient[] {
  return endpoints.filter(
    (endpoint) =>
      endpoint.eventTypes.includes(event.type) &&
      inScopeOf(endpoint.providerId, event) &&
      (event.metric === undefined || endpoint.rankingMetric === event.metric) &&
      endpoint.createdAt <= event.at,
  );
}

export function newMessageId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}

/**
 * Turns new outbox entries into webhook events and one delivery per recipient. There are two
 * outboxes, each written by the transaction that makes the write: the change log, and the segment
 * entries and exits (src/domain/segment-events.ts), which are sent once the change log is read
 * past the position they were evaluated at, so that they follow the changes that caused them.
 * A single cursor row says how far that has been done; the transaction that writes the
 * deliveries moves it only from where it read it, so when several processes fan out at once, one
 * wins and the others' transactions change nothing. Returns how many entries were consumed.
 *
 * A disabled endpoint's events are held (queued, not attempted) up to `maxHeldEvents`; past that
 * they are counted (`missedEvents`, from `missedFrom`), and enabling it says so.
 */
export async function fanOut(database: Db, settings: Pick<WebhookSettings, 'maxHeldEvents'>): Promise<number> {
  const cursor = await database.webhookCursor.findUniqueOrThrow({ where: { id: 1 } });
  const batch = (await changeLogBatch(database, cursor)) ?? (await segmentBatch(database, cursor));
  if (!batch) return 0;
  await database.$transaction(async (tx) => {
    const moved = await tx.webhookCursor.updateMany({
      where: { id: 1, position: cursor.position, segmentPosition: cursor.segmentPosition },
      data: batch.cursor,
    });
    if (moved.count === 0) return; // another process fanned these entries out
    // Read after the cursor row is held: registering or enabling an endpoint holds it too, so none
    // is registered or enabled between this read and the commit (src/domain/webhooks.ts).
    const endpoints = await recipients(tx);
    for (const event of batch.events) await queue(tx, event, recipientsOf(event, endpoints), settings.maxHeldEvents);
    await recordMissed(tx, endpoints);
  });
  return batch.consumed;
}

/**
 * Takes the fan-out cursor row for the rest of the transaction. Fan-out holds it from before it
 * reads the endpoints until it has queued their events; registering or enabling an endpoint holds
 * it too, so neither happens in between.
 */
export function holdFanOutCursor(tx: Transaction) {
  return tx.webhookCursor.updateMany({ where: { id: 1 }, data: { position: { increment: 0 } } });
}

/**
 * With no endpoint registered, nothing in the outboxes goes anywhere (an event is stored for its
 * recipients only, and an endpoint gets only events after its registration): the cursor moves to
 * the end of both in one statement, instead of reads and a transaction per batch. The row is
 * held first, and the statement that moves it reads the endpoints after (on PostgreSQL, a
 * statement sees what committed before it started): an endpoint registered meanwhile is either
 * seen, or registered after the move. Whether there was no endpoint.
 */
export async function skipWithoutEndpoints(database: Db): Promise<boolean> {
  return database.$transaction(async (tx) => {
    await holdFanOutCursor(tx);
    const moved = await tx.$executeRaw`
      UPDATE "WebhookCursor"
      SET "position" = COALESCE((SELECT MAX("id") FROM "ChangeLogEntry"), "position"),
          "segmentPosition" = COALESCE((SELECT MAX("id") FROM "SegmentMembershipEvent"), "segmentPosition")
      WHERE "id" = 1 AND NOT EXISTS (SELECT 1 FROM "WebhookEndpoint")`;
    return moved > 0;
  });
}

async function changeLogBatch(database: Db, cursor: WebhookCursor): Promise<Batch | null> {
  const entries = await database.changeLogEntry.findMany({ where: { id: { gt: cursor.position } }, orderBy: { id: 'asc' }, take: FAN_OUT_BATCH });
  if (entries.length === 0) return null;
  const changes = entries.map((entry) => ({ entry, change: parseChange(entry.change) }));
  const events: DatedEvent[] = changes.flatMap(({ entry, change }) =>
    eventsOfChange(change).map((event) => ({ ...event, changeId: entry.id, at: entry.createdAt })),
  );
  const rankings = JSON.parse(cursor.rankings) as Record<string, string>;
  if (changes.some(({ change }) => changesGraph(change))) {
    events.push(...(await rankingEvents(database, rankings, entries[entries.length - 1].createdAt)));
  }
  return { events, cursor: { position: entries[entries.length - 1].id, rankings: JSON.stringify(rankings) }, consumed: entries.length };
}

/** The segment entries and exits next in line, up to the first evaluated past the change log cursor. */
async function segmentBatch(database: Db, cursor: WebhookCursor): Promise<Batch | null> {
  const rows = await database.segmentMembershipEvent.findMany({
    where: { id: { gt: cursor.segmentPosition } },
    orderBy: { id: 'asc' },
    take: SEGMENT_BATCH,
  });
  const ready = rows.findIndex((row) => row.afterChange > cursor.position);
  const due = ready === -1 ? rows : rows.slice(0, ready);
  if (due.length === 0) return null;
  const events = due.map((row) => ({ ...eventOfMembership(row), changeId: null, at: row.createdAt }));
  return { events, cursor: { segmentPosition: due[due.length - 1].id }, consumed: due.length };
}

/** Stores the event and queues it for its recipients: at once if enabled, held if disabled and below the bound. */
async function queue(tx: Transaction, event: DatedEvent, subscribers: Recipient[], maxHeld: number): Promise<void> {
  if (subscribers.length === 0) return;
  // Stored even when no subscriber is owed it now, so that a range replay finds it later.
  const stored = await tx.webhookEvent.create({
    data: {
      messageId: newMessageId(),
      type: event.type,
      providerId: event.providerId,
      adminOnly: event.adminOnly,
      metric: event.metric ?? null,
      payload: JSON.stringify(event.data),
      changeId: event.changeId,
      createdAt: event.at,
    },
  });
  const owed = subscribers.filter((endpoint) => {
    if (!endpoint.disabled || endpoint.held < maxHeld) {
      if (endpoint.disabled) endpoint.held++;
      return true;
    }
    endpoint.missedFrom ??= event.at;
    endpoint.missedNow++;
    return false;
  });
  if (owed.length > 0) await tx.webhookDelivery.createMany({ data: owed.map((endpoint) => ({ endpointId: endpoint.id, eventId: stored.id })) });
}

async function recordMissed(tx: Transaction, endpoints: Recipient[]): Promise<void> {
  for (const endpoint of endpoints) {
    if (endpoint.missedNow === 0) continue;
    await tx.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { missedEvents: { increment: endpoint.missedNow }, missedFrom: endpoint.missedFrom },
    });
  }
}

async function recipients(tx: Transaction): Promise<Recipient[]> {
  const rows = await tx.webhookEndpoint.findMany({
    select: { id: true, providerId: true, eventTypes: true, rankingMetric: true, createdAt: true, disabledAt: true, missedFrom: true },
  });
  const held = await tx.webhookDelivery.groupBy({
    by: ['endpointId'],
    where: { status: 'PENDING', endpoint: { disabledAt: { not: null } } },
    _count: { _all: true },
  });
  const heldBy = new Map(held.map((group) => [group.endpointId, group._count._all]));
  return rows.map(({ disabledAt, ...row }) => ({
    ...row,
    eventTypes: row.eventTypes.split(',') as EventType[],
    disabled: disabledAt !== null,
    held: heldBy.get(row.id) ?? 0,
    missedNow: 0,
  }));
}

/**
 * `ranking.changed` for each metric some endpoint follows whose first entries differ from the
 * last ones seen (kept in the cursor row, so that every process compares with the same). The
 * first look at a metric only remembers it.
 */
async function rankingEvents(database: Db, seen: Record<string, string>, at: Date): Promise<DatedEvent[]> {
  const following = await database.webhookEndpoint.findMany({
    where: { rankingMetric: { not: null } },
    select: { rankingMetric: true },
    distinct: ['rankingMetric'],
  });
  const events: DatedEvent[] = [];
  for (const { rankingMetric: metric } of following) {
    if (!metric) continue;
    const top = await topProviders(metric as CentralityMetric);
    const key = rankingKey(top);
    if (seen[metric] !== undefined && seen[metric] !== key) {
      events.push({ type: 'ranking.changed', providerId: null, adminOnly: false, metric: metric as CentralityMetric, changeId: null, at, data: rankingData(metric, top) });
    }
    seen[metric] = key;
  }
  return events;
}

function rankingData(metric: string, top: RankingEntry[]) {
  return { metric, entries: top.map(({ providerId, rank }) => ({ rank, providerId: encodeGlobalID('Provider', providerId) })) };
}
