import { type Transaction, holdAppendOrder } from '../db/change-log';

/** Any fixed number, other than the change log's: orders appends to SegmentMembershipEvent. */
const SEGMENT_EVENTS_LOCK = 7272740002;
const ROWS_PER_STATEMENT = 500;

/**
 * Writes entries and exits to the outbox of segment webhooks (SegmentMembershipEvent), inside the
 * transaction that stores them in the membership: both commit or neither does, so a crash never
 * loses one. `afterChange` is the change log position the evaluation read; the webhooks send the
 * events after those of the changes up to it (src/live/webhooks/fan-out.ts).
 */
export async function recordMembershipEvents(tx: Transaction, segmentId: number, events: { consumerId: number; entered: boolean }[], afterChange: number): Promise<void> {
  if (events.length === 0) return;
  const segment = await tx.segment.findUniqueOrThrow({ where: { id: segmentId }, select: { providerId: true } });
  await holdAppendOrder(tx, SEGMENT_EVENTS_LOCK);
  for (let start = 0; start < events.length; start += ROWS_PER_STATEMENT) {
    const rows = events.slice(start, start + ROWS_PER_STATEMENT).map(({ consumerId, entered }) => ({
      segmentId,
      providerId: segment.providerId,
      consumerId,
      entered,
      afterChange,
    }));
    await tx.segmentMembershipEvent.createMany({ data: rows });
  }
}

/**
 * Records the exits of consumers about to be deleted (a deletion, a merge) from every segment
 * they are in, in the deleting transaction: their memberships go with them (cascade), and no
 * evaluation would see them leave. The exits follow the changes committed before this one.
 */
export async function recordExitsOfDeleted(tx: Transaction, consumerIds: readonly number[]): Promise<void> {
  const memberships = await tx.segmentMember.findMany({ where: { consumerId: { in: [...consumerIds] } }, orderBy: [{ segmentId: 'asc' }, { consumerId: 'asc' }] });
  if (memberships.length === 0) return;
  const last = await tx.changeLogEntry.aggregate({ _max: { id: true } });
  const bySegment = new Map<number, { consumerId: number; entered: boolean }[]>();
  for (const { segmentId, consumerId } of memberships) bySegment.set(segmentId, [...(bySegment.get(segmentId) ?? []), { consumerId, entered: false }]);
  for (const [segmentId, exits] of bySegment) await recordMembershipEvents(tx, segmentId, exits, (last._max.id ?? 0) + 1);
}
