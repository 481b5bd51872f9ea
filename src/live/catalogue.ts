import { encodeGlobalID } from '@pothos/plugin-relay';
import type { RelationRecord } from '../db/graph-source';
import type { Change } from '../domain/changes';

/**
 * The events the platform announces, by the names webhooks carry (docs/webhooks.md). Each comes
 * from a change in the change log, except `ranking.changed`, which the ranking watch derives, and
 * `segment.*`, which come from the segment membership outbox (src/domain/segment-events.ts).
 */
export const EVENT_TYPES = [
  'relation.recorded',
  'relation.deleted',
  'consumer.created',
  'consumer.updated',
  'consumer.erased',
  'consumer.merged',
  'ranking.changed',
  'segment.entered',
  'segment.exited',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Events about consumers as people: only the platform (admin endpoints) receives them. */
const ADMIN_ONLY: ReadonlySet<EventType> = new Set(['consumer.created', 'consumer.updated', 'consumer.erased', 'consumer.merged']);

/** Whether an endpoint owned by a provider (or by the platform, when null) may receive `type`. */
export function ownerMayReceive(providerId: number | null, type: EventType): boolean {
  return providerId === null || !ADMIN_ONLY.has(type);
}

/**
 * An event as endpoints receive it. `providerId` scopes it: a provider's endpoints receive only
 * events of their own provider, or unscoped ones (rankings); `adminOnly` ones go to admin
 * endpoints alone (consumers' account events, platform segments' entries and exits). `data`
 * holds global IDs and facts, never a consumer's personal data: receivers read those through the
 * API with their own rights.
 */
export interface LiveEvent {
  type: EventType;
  providerId: number | null;
  adminOnly: boolean;
  data: Record<string, unknown>;
}

/** Whether an endpoint owned by a provider (or by the platform, when null) may receive `event`. */
export function inScopeOf(endpointProviderId: number | null, event: Pick<LiveEvent, 'providerId' | 'adminOnly'>): boolean {
  if (endpointProviderId === null) return true;
  return !event.adminOnly && (event.providerId === null || event.providerId === endpointProviderId);
}

function relationData(relation: RelationRecord, id: number | undefined) {
  return {
    relation: {
      id: id === undefined ? null : encodeGlobalID('Relation', id),
      consumerId: encodeGlobalID('Consumer', relation.consumerId),
      providerId: encodeGlobalID('Provider', relation.providerId),
      kind: relation.kind,
      occurredAt: new Date(relation.occurredAt).toISOString(),
      amountMinor: relation.amountMinor,
      currency: relation.currency,
      rating: relation.rating,
    },
  };
}

const consumer = (id: number) => ({ consumer: { id: encodeGlobalID('Consumer', id) } });

/** The events a committed change announces (none for changes no event covers). */
export function eventsOfChange(change: Change): LiveEvent[] {
  switch (change.type) {
    case 'relationRecorded':
      return [{ type: 'relation.recorded', providerId: change.relation.providerId, adminOnly: false, data: relationData(change.relation, change.id) }];
    case 'relationRemoved':
      return [{ type: 'relation.deleted', providerId: change.relation.providerId, adminOnly: false, data: relationData(change.relation, change.id) }];
    case 'partyCreated':
      return change.party === 'consumer' ? [{ type: 'consumer.created', providerId: null, adminOnly: true, data: consumer(change.id) }] : [];
    case 'partyUpdated':
      if (change.party !== 'consumer') return [];
      return [{ type: change.erased ? 'consumer.erased' : 'consumer.updated', providerId: null, adminOnly: true, data: consumer(change.id) }];
    case 'consumersMerged':
      return [
        {
          type: 'consumer.merged',
          providerId: null,
          adminOnly: true,
          data: { ...consumer(change.into), merged: change.from.map((id) => encodeGlobalID('Consumer', id)) },
        },
      ];
    default:
      return [];
  }
}

/** A consumer's entry into or exit from a segment, as the outbox holds it. */
export interface MembershipRow {
  segmentId: number;
  /** The segment's provider; null for a platform segment, whose events only admin endpoints receive. */
  providerId: number | null;
  consumerId: number;
  entered: boolean;
}

export function eventOfMembership(row: MembershipRow): LiveEvent {
  return {
    type: row.entered ? 'segment.entered' : 'segment.exited',
    providerId: row.providerId,
    adminOnly: row.providerId === null,
    data: { segment: { id: encodeGlobalID('Segment', row.segmentId) }, ...consumer(row.consumerId), entered: row.entered },
  };
}

/** Whether a change can move the graph's rankings. */
export function changesGraph(change: Change): boolean {
  return ['relationRecorded', 'relationRemoved', 'partyCreated', 'partyDeleted', 'bulkLoaded', 'consumersMerged'].includes(change.type);
}
