import { randomUUID } from 'node:crypto';
import type { CentralityMetric } from '../../analytics/graph/centrality';
import type { Db } from '../../db/client';
import { type Change, parseChange } from '../../domain/changes';
import { type EventType, type LiveEvent, changesGraph, eventsOfChange } from '../catalogue';
import { type RankingEntry, rankingKey, topProviders } from '../ranking';
import { encodeGlobalID } from '@pothos/plugin-relay';

/** Change log entries fanned out per transaction. */
const FAN_OUT_BATCH = 200;

interface Recipient {
  id: number;
  providerId: number | null;
  eventTypes: EventType[];
  rankingMetric: string | null;
  createdAt: Date;
}

interface DatedEvent extends LiveEvent {
  changeId: number | null;
  at: Date;
  metric?: CentralityMetric;
}

/** The endpoints an event goes to: enabled, subscribed to its type, in its scope, registered before it. */
function recipientsOf(event: DatedEvent, endpoints: Recipient[]): Recipient[] {
  return endpoints.filter(
    (endpoint) =>
      endpoint.eventTypes.includes(event.type) &&
      (event.providerId === null || endpoint.providerId === null || endpoint.providerId === event.providerId) &&
      (event.metric === undefined || endpoint.rankingMetric === event.metric) &&
      endpoint.createdAt <= event.at,
  );
}

export function newMessageId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}

/**
 * Turns the change log's new entries into webhook events and one delivery per recipient. The
 * change log is the outbox: every write appended its change in its own transaction. A single
 * cursor row says how far that has been done; the transaction that writes the deliveries moves it
 * only from where it read it, so when several processes fan out at once, one wins and the others'
 * transactions change nothing. Returns how many entries were consumed (0: nothing new).
 */
export async function fanOut(database: Db): Promise<number> {
  const cursor = await database.webhookCursor.findUniqueOrThrow({ where: { id: 1 } });
  const entries = await database.changeLogEntry.findMany({
    where: { id: { gt: cursor.position } },
    orderBy: { id: 'asc' },
    take: FAN_OUT_BATCH,
  });
  if (entries.length === 0) return 0;
  const endpoints = await enabledEndpoints(database);
  const changes = entries.map((entry) => ({ entry, change: parseChange(entry.change) }));
  const events: DatedEvent[] = changes.flatMap(({ entry, change }) =>
    eventsOfChange(change).map((event) => ({ ...event, changeId: entry.id, at: entry.createdAt })),
  );
  const rankings = JSON.parse(cursor.rankings) as Record<string, string>;
  if (changes.some(({ change }) => changesGraph(change as Change))) {
    events.push(...(await rankingEvents(endpoints, rankings, entries[entries.length - 1].createdAt)));
  }
  await database.$transaction(async (tx) => {
    const moved = await tx.webhookCursor.updateMany({
      where: { id: 1, position: cursor.position },
      data: { position: entries[entries.length - 1].id, rankings: JSON.stringify(rankings) },
    });
    if (moved.count === 0) return; // another process fanned these entries out
    for (const event of events) {
      const recipients = recipientsOf(event, endpoints);
      if (recipients.length === 0) continue;
      const stored = await tx.webhookEvent.create({
        data: {
          messageId: newMessageId(),
          type: event.type,
          providerId: event.providerId,
          metric: event.metric ?? null,
          payload: JSON.stringify(event.data),
          changeId: event.changeId,
          createdAt: event.at,
        },
      });
      await tx.webhookDelivery.createMany({ data: recipients.map((endpoint) => ({ endpointId: endpoint.id, eventId: stored.id })) });
    }
  });
  return entries.length;
}

async function enabledEndpoints(database: Db): Promise<Recipient[]> {
  const rows = await database.webhookEndpoint.findMany({
    where: { disabledAt: null },
    select: { id: true, providerId: true, eventTypes: true, rankingMetric: true, createdAt: true },
  });
  return rows.map((row) => ({ ...row, eventTypes: row.eventTypes.split(',') as EventType[] }));
}

/**
 * `ranking.changed` for each metric some endpoint follows whose first entries differ from the
 * last ones seen (kept in the cursor row, so that every process compares with the same). The
 * first look at a metric only remembers it.
 */
async function rankingEvents(endpoints: Recipient[], seen: Record<string, string>, at: Date): Promise<DatedEvent[]> {
  const metrics = new Set(endpoints.filter((endpoint) => endpoint.eventTypes.includes('ranking.changed')).map((endpoint) => endpoint.rankingMetric));
  const events: DatedEvent[] = [];
  for (const metric of metrics) {
    if (!metric) continue;
    const top = await topProviders(metric as CentralityMetric);
    const key = rankingKey(top);
    if (seen[metric] !== undefined && seen[metric] !== key) {
      events.push({ type: 'ranking.changed', providerId: null, metric: metric as CentralityMetric, changeId: null, at, data: rankingData(metric, top) });
    }
    seen[metric] = key;
  }
  return events;
}

function rankingData(metric: string, top: RankingEntry[]) {
  return { metric, entries: top.map(({ providerId, rank }) => ({ rank, providerId: encodeGlobalID('Provider', providerId) })) };
}
