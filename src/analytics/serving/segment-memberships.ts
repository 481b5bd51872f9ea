import { CHANGE_LOG_RETENTION_MS, changesAfter } from '../../db/change-log';
import type { Db } from '../../db/client';
import type { DriverReader, PreparedRead } from '../../db/driver';
import { type Change, parseChange } from '../../domain/changes';
import type { SegmentCondition } from '../../domain/segment-definition';
import { recordMembershipEvents } from '../../domain/segment-events';
import type { Segment } from '../../generated/prisma/client';
import { ALL_TIME, evaluateSegment, hasRollingWindow, isPerConsumer } from './segment-evaluation';
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

/** Changes read to find the consumers a burst of writes touched, at most; past them, every candidate is tested. */
const MAX_CHANGES_PER_CONSUMER_EVALUATION = 1000;

/** Reads the changes committed after one change log position, oldest first. */
export type ChangeReader = (after: number, limit: number) => Promise<{ id: number; change: Change }[]>;

const readChangeLog: ChangeReader = async (after, limit) =>
  (await changesAfter(after, limit)).map(({ id, change }) => ({ id, change: parseChange(change) }));

/**
 * Keeps each segment's stored members equal to its definition's evaluation: after writes
 * (debounced, in the background: never on the write's request), when the hour turns for
 * definitions that depend on the clock, and on demand before members are read. Each change of
 * membership is stored, then announced to `onChange` listeners (entry and exit events).
 *
 * A definition over consumers' own relations and consent (isPerConsumer) is re-evaluated for
 * the consumers the changes since its last evaluation name, read from the change log; any other
 * definition, or a change that moves many consumers at once, tests every candidate.
 */
export class SegmentMemberships {
  private readonly listeners = new Set<(event: MembershipEvent) => void>();
  /** One evaluation per segment at a time, in order. */
  private readonly queues = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  /** The evaluation of every segment that the last burst of writes started. */
  private afterWrites: Promise<void> = Promise.resolve();
  /** Evaluations run so far: of every candidate, and of only the consumers changes named. */
  readonly evaluations = { full: 0, perConsumer: 0 };

  constructor(
    private readonly analytics: Analytics,
    private readonly client: Db,
    private readonly reader: DriverReader,
    private readonly lastChange: () => Promise<number>,
    private readonly changesAfter: ChangeReader = readChangeLog,
  ) {}

  onChange(listener: (event: MembershipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Some write committed: evaluate every stale segment soon. */
  writeCommitted(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.afterWrites = this.refreshAll().catch(() => undefined)), DEBOUNCE_MS).unref();
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

  /** Starts no more evaluations after writes; resolves once those under way have ended. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.afterWrites;
    await Promise.all(this.queues.values());
  }

  private async refresh(segmentId: number): Promise<void> {
    const segment = await this.client.segment.findUnique({ where: { id: segmentId } });
    if (!segment) return; // deleted meanwhile
    const definition = JSON.parse(segment.definition) as SegmentCondition;
    const change = await this.lastChange();
    if (isCurrent(segment, definition, change)) return;
    const now = Date.now();
    const { graph, version } = await this.analytics.windowGraph(ALL_TIME, change);
    const touched = await this.consumersTouched(segment, definition, version, now);
    const inputs = {
      analytics: this.analytics,
      graph,
      now,
      consentingConsumers: async () => {
        const where = { marketingConsent: true, ...(touched ? { id: { in: touched } } : {}) };
        return new Set((await this.client.consumer.findMany({ where, select: { id: true } })).map(({ id }) => id));
      },
    };
    const members = await evaluateSegment(definition, segment.providerId, inputs, touched ?? undefined);
    this.evaluations[touched ? 'perConsumer' : 'full']++;
    const events = await this.store(segmentId, members, version, new Date(now), touched ?? undefined);
    for (const event of events) for (const listener of this.listeners) listener(event);
  }

  /**
   * The consumers the changes after the segment's last evaluation, up to `version`, name, when
   * only they can have moved: the definition is per consumer, the clock has not moved its
   * windows, and every change names one consumer. Null when every candidate must be tested.
   */
  private async consumersTouched(segment: Segment, definition: SegmentCondition, version: number, now: number): Promise<number[] | null> {
    const since = segment.evaluatedChange;
    if (!segment.evaluatedAt || since < 0 || !isPerConsumer(definition)) return null;
    // Changes older than the log keeps may be gone; the hour's turn moves rolling windows.
    if (now - segment.evaluatedAt.getTime() > CHANGE_LOG_RETENTION_MS / 2 || !inSameHour(segment.evaluatedAt.getTime(), now, definition)) return null;
    if (version - since > MAX_CHANGES_PER_CONSUMER_EVALUATION) return null;
    const touched = new Set<number>();
    for (const { id, change } of await this.changesAfter(since, version - since)) {
      if (id > version) break;
      const consumer = consumerNamed(change);
      if (consumer === null) return null;
      if (consumer !== undefined) touched.add(consumer);
    }
    return [...touched];
  }

  /** Writes the difference to the stored members; returns the entries and exits it made. */
  private store(segmentId: number, members: Set<number>, version: number, at: Date, among?: number[]): Promise<MembershipEvent[]> {
    return this.client.$transaction(async (tx) => {
      // First, so that stores of one segment (by several processes) run one after the other, and
      // an evaluation older than the one stored changes nothing (its events would be duplicates).
      const claimed = await tx.segment.updateMany({ where: { id: segmentId, evaluatedChange: { lte: version } }, data: { evaluatedChange: version, evaluatedAt: at } });
      if (claimed.count === 0) return [];
      const before = new Set<number>();
      const read = (where: { consumerId?: { in: number[] } }) =>
        tx.segmentMember.findMany({ where: { segmentId, ...where }, select: { consumerId: true } }).then((rows) => rows.forEach(({ consumerId }) => before.add(consumerId)));
      if (!among) await read({});
      for (let start = 0; among && start < among.length; start += ROWS_PER_STATEMENT) await read({ consumerId: { in: among.slice(start, start + ROWS_PER_STATEMENT) } });
      // By ID: an evaluation's events come in one order, whatever order the store visits its pairs in.
      const exited = [...before].filter((consumerId) => !members.has(consumerId)).sort((a, b) => a - b);
      const entered = [...members].filter((consumerId) => !before.has(consumerId)).sort((a, b) => a - b);
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
  return inSameHour(segment.evaluatedAt.getTime(), Date.now(), definition);
}

/** For a definition that depends on the clock, whether two moments are in one hour; else true. */
function inSameHour(a: number, b: number, definition: SegmentCondition): boolean {
  return !hasRollingWindow(definition) || Math.floor(a / HOUR_MS) === Math.floor(b / HOUR_MS);
}

/**
 * The one consumer a change can move in or out of a per-consumer segment; undefined when it
 * moves none (a provider created or renamed, keys revoked); null when it may move many (a
 * provider deleted with its relations, a bulk load, a merge).
 */
function consumerNamed(change: Change): number | null | undefined {
  switch (change.type) {
    case 'relationRecorded':
    case 'relationRemoved':
      return change.relation.consumerId;
    case 'partyCreated':
    case 'partyUpdated':
      return change.party === 'consumer' ? change.id : undefined;
    case 'partyDeleted':
      return change.party === 'consumer' ? change.id : null;
    case 'apiKeysRevoked':
      return undefined;
    case 'bulkLoaded':
    case 'consumersMerged':
      return null;
  }
}
