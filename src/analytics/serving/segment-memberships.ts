import type { Db } from '../../db/client';
import type { DriverReader, PreparedRead } from '../../db/driver';
import type { SegmentCondition } from '../../domain/segment-definition';
import { recordMembershipEvents } from '../../domain/segment-events';
import type { Segment } from '../../generated/prisma/client';
import { ALL_TIME, evaluateSegment, hasRollingWindow } from './segment-evaluation';
import type { Analytics } from './service';
import { HOUR_MS } from './window';

/** A consumer entering or leaving a segment. */
export interface MembershipEvent {
  segmentId: number;
  consumerId: number;
  entered: boolean;
}

/** After a write, evaluations wait this long for more writes, so a burst costs one. */
const DEBOUNCE_MS = 200;
// Through the driver: listed after every burst of writes, mostly to find none.
const SEGMENT_IDS: PreparedRead = { name: 'rapport_segment_ids', sql: 'SELECT "id" FROM "Segment" ORDER BY "id"' };

/** Member rows written per statement. */
const ROWS_PER_STATEMENT = 500;

/**
 * Keeps each segment's stored members equal to its definition's evaluation: after writes
 * (debounced, in the background: never on the write's request), when the hour turns for
 * definitions that depend on the clock, and on demand before members are read. Each change of
 * membership is stored, then announced to `onChange` listeners (entry and exit events).
 */
export class SegmentMemberships {
  private readonly listeners = new Set<(event: MembershipEvent) => void>();
  /** One evaluation per segment at a time, in order. */
  private readonly queues = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly analytics: Analytics,
    private readonly client: Db,
    private readonly reader: DriverReader,
    private readonly lastChange: () => Promise<number>,
  ) {}

  onChange(listener: (event: MembershipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Some write committed: evaluate every stale segment soon. */
  writeCommitted(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refreshAll().catch(() => undefined), DEBOUNCE_MS).unref();
  }

  async refreshAll(): Promise<void> {
    const segments = await this.reader.rows<[number]>(SEGMENT_IDS);
    for (const [id] of segments) await this.ensureCurrent(Number(id));
  }

  /** Brings one segment's stored members up to date, unless they already are. */
  ensureCurrent(segmentId: number): Promise<void> {
    const previous = this.queues.get(segmentId) ?? Promise.resolve();
    const next = previous.then(() => this.refresh(segmentId));
    const settled = next.catch(() => undefined);
    this.queues.set(segmentId, settled);
    void settled.then(() => this.queues.get(segmentId) === settled && this.queues.delete(segmentId));
    return next;
  }

  close(): void {
    clearTimeout(this.timer);
  }

  private async refresh(segmentId: number): Promise<void> {
    const segment = await this.client.segment.findUnique({ where: { id: segmentId } });
    if (!segment) return; // deleted meanwhile
    const definition = JSON.parse(segment.definition) as SegmentCondition;
    const change = await this.lastChange();
    if (isCurrent(segment, definition, change)) return;
    const now = Date.now();
    const { graph, version } = await this.analytics.windowGraph(ALL_TIME, change);
    const members = await evaluateSegment(definition, segment.providerId, {
      analytics: this.analytics,
      graph,
      now,
      consentingConsumers: async () =>
        new Set((await this.client.consumer.findMany({ where: { marketingConsent: true }, select: { id: true } })).map(({ id }) => id)),
    });
    const events = await this.store(segmentId, members, version, new Date(now));
    for (const event of events) for (const listener of this.listeners) listener(event);
  }

  /** Writes the difference to the stored members; returns the entries and exits it made. */
  private store(segmentId: number, members: Set<number>, version: number, at: Date): Promise<MembershipEvent[]> {
    return this.client.$transaction(async (tx) => {
      // First, so that stores of one segment (by several processes) run one after the other, and
      // an evaluation older than the one stored changes nothing (its events would be duplicates).
      const claimed = await tx.segment.updateMany({ where: { id: segmentId, evaluatedChange: { lte: version } }, data: { evaluatedChange: version, evaluatedAt: at } });
      if (claimed.count === 0) return [];
      const stored = await tx.segmentMember.findMany({ where: { segmentId }, select: { consumerId: true } });
      const before = new Set(stored.map(({ consumerId }) => consumerId));
      const exited = [...before].filter((consumerId) => !members.has(consumerId));
      const entered = [...members].filter((consumerId) => !before.has(consumerId));
      for (let start = 0; start < exited.length; start += ROWS_PER_STATEMENT) {
        await tx.segmentMember.deleteMany({ where: { segmentId, consumerId: { in: exited.slice(start, start + ROWS_PER_STATEMENT) } } });
      }
      for (let start = 0; start < entered.length; start += ROWS_PER_STATEMENT) {
        const rows = entered.slice(start, start + ROWS_PER_STATEMENT).map((consumerId) => ({ segmentId, consumerId, since: at }));
        await tx.segmentMember.createMany({ data: rows });
      }
      const events = [
        ...entered.map((consumerId) => ({ segmentId, consumerId, entered: true })),
        ...exited.map((consumerId) => ({ segmentId, consumerId, entered: false })),
      ];
      await recordMembershipEvents(tx, segmentId, events, version);
      return events;
    });
  }
}

/** Evaluated at the current change, and (for definitions that depend on the clock) in the current hour. */
function isCurrent(segment: Segment, definition: SegmentCondition, change: number): boolean {
  if (segment.evaluatedChange < change || !segment.evaluatedAt) return false;
  return !hasRollingWindow(definition) || Math.floor(segment.evaluatedAt.getTime() / HOUR_MS) === Math.floor(Date.now() / HOUR_MS);
}
