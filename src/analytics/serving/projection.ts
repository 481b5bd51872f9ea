import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Db } from '../../db/client';
import type { DriverReader } from '../../db/driver';
import { CHANGE_LOG_RETENTION_MS, changeDigest, changesAfter } from '../../db/change-log';
import { type RelationRecord, readGraphSnapshot } from '../../db/graph-source';
import { type Change, parseChange } from '../../domain/changes';
import type { GraphSnapshot } from '../graph/snapshot';
import { GraphFileError, readGraphFile, writeGraphFile } from './graph-file';
import { RelationStore } from './store';

export interface GraphView {
  store: RelationStore;
  version: number;
}

/** Where the graph held now was read from, and why a graph file was passed over. */
export interface GraphOrigin {
  from: 'file' | 'database';
  fileIgnored?: string;
}

/** Past this many changes to catch up with, reading a fresh snapshot is the cheaper way. */
const MAX_CHANGES_TO_REPLAY = 10_000;

/**
 * The relation graph held in memory, in a RelationStore: built from a database snapshot, then
 * kept current by the change log, with a version that grows with every change.
 */
export class GraphProjection {
  private readonly instance = randomUUID();
  private store = new RelationStore();
  private loaded = false;
  private versionNumber = 0;

  private originOf: GraphOrigin | undefined;
  /** The version last saved to or read from the graph file. */
  private savedVersion = -1;
  private saving: Promise<unknown> = Promise.resolve();

  /**
   * Reads the database at `databaseUrl`, with `client` and `reader` connected to that same
   * database; with a `graphFile`, starts from the graph saved there when it is that database's.
   */
  constructor(
    private readonly databaseUrl: string,
    private readonly client: Db,
    private readonly reader: DriverReader,
    private readonly graphFile?: string,
  ) {}

  /** Where the graph held now was read from (it is kept current since); undefined before it is loaded. */
  get origin(): GraphOrigin | undefined {
    return this.originOf;
  }

  /** True once the graph has been read from the database; reading a view loads it. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  get version(): number {
    return this.versionNumber;
  }

  /**
   * The live store as of the last `refresh()`: it changes with the next one (and its slots with
   * any compaction), so read it at once, without awaiting in between.
   */
  view(): GraphView {
    if (!this.loaded) throw new Error('The graph projection is read before its first refresh()');
    return { store: this.store, version: this.versionNumber };
  }

  /** The whole graph as of the last `refresh()`, as immutable typed arrays. */
  snapshot(): GraphSnapshot {
    if (!this.loaded) throw new Error('The graph projection is read before its first refresh()');
    return this.store.snapshot(`${this.instance}:${this.versionNumber}`, this.versionNumber);
  }

  /** Reads the whole graph from one database snapshot, and the change log position it includes. */
  async load(): Promise<void> {
    const store = new RelationStore();
    const lastChange = await readGraphSnapshot(this.databaseUrl, store);
    store.compact();
    store.trim();
    const fileIgnored = this.originOf?.fileIgnored;
    this.adopt(store, lastChange, Date.now(), { from: 'database', ...(fileIgnored && { fileIgnored }) });
  }

  /** Makes `store`, which holds the changes up to `lastChange` as the log stood at `readAt`, the graph held. */
  private adopt(store: RelationStore, lastChange: number, readAt: number, origin: GraphOrigin): void {
    this.store = store;
    this.lastChange = lastChange;
    this.caughtUpAt = readAt;
    this.loaded = true;
    this.originOf = origin;
    this.changed();
  }

  /**
   * Saves the graph to the graph file, when there is one and the graph changed since it was saved
   * or read: a start then reads that file and the changes since. Saves run one at a time; resolves
   * with whether this one wrote.
   */
  save(): Promise<boolean> {
    const saved = this.saving.then(() => this.saveNow());
    this.saving = saved.then(() => undefined, () => undefined);
    return saved;
  }

  private async saveNow(): Promise<boolean> {
    if (!this.graphFile || !this.loaded || this.savedVersion === this.versionNumber) return false;
    // Taken together, before any await: the image holds exactly the changes up to lastChange.
    const { lastChange, caughtUpAt: readAt, versionNumber: version } = this;
    const image = this.store.image();
    const lastChangeDigest = await changeDigest(lastChange, this.reader);
    if (lastChangeDigest === undefined) return false; // no change logged yet (or pruned): a start could not place the file
    await writeGraphFile(this.graphFile, { position: { lastChange, lastChangeDigest, readAt }, image });
    this.savedVersion = version;
    return true;
  }

  /** Starts from the graph file when it is this database's and recent enough to catch up from the change log. */
  private async restore(path: string): Promise<void> {
    try {
      const saved = await readGraphFile(path);
      if (!saved) return;
      const { position, image } = saved;
      if (Date.now() - position.readAt > CHANGE_LOG_RETENTION_MS / 2) throw new GraphFileError(path, 'it is older than the change log is sure to reach back');
      if ((await changeDigest(position.lastChange, this.reader)) !== position.lastChangeDigest) {
        throw new GraphFileError(path, 'the change it was saved at is not in this database (another database, or pruned since)');
      }
      this.adopt(RelationStore.fromImage(image), position.lastChange, position.readAt, { from: 'file' });
      this.savedVersion = this.versionNumber;
    } catch (error) {
      const reason = error instanceof GraphFileError ? error.message : `The graph file ${path} is not used: ${(error as Error).message}`;
      this.originOf = { from: 'database', fileIgnored: reason };
    }
  }

  // ---- Following the change log: every write, this process's or another's, reaches the graph
  // through it, in commit order.

  /** The change log id the graph includes, and when the log was last read. */
  private lastChange = 0;
  private caughtUpAt = 0;
  /** A catch-up that has not started reading yet, which callers arriving now can share. */
  private nextCatchUp?: Promise<void>;
  private catchUps: Promise<void> = Promise.resolve();

  /**
   * Brings the graph up to date with every change committed before this call: builds it on first
   * use, then applies the change log past its position. Callers arriving together share a read.
   */
  refresh(): Promise<void> {
    if (!this.nextCatchUp) {
      const next = this.catchUps.then(() => {
        this.nextCatchUp = undefined;
        return this.catchUp();
      });
      this.nextCatchUp = next;
      this.catchUps = next.catch(() => undefined);
    }
    return this.nextCatchUp;
  }

  private async catchUp(): Promise<void> {
    const started = Date.now();
    // Without a graph file, the database read starts before this call returns: the server loads its
    // modules meanwhile, holding this thread, and an await here would leave the read waiting for them.
    if (!this.loaded && this.graphFile && existsSync(this.graphFile)) await this.restore(this.graphFile);
    // After half the retention unread, changes this graph lacks may have been pruned.
    if (!this.loaded || started - this.caughtUpAt > CHANGE_LOG_RETENTION_MS / 2) return this.load();
    const entries = await changesAfter(this.lastChange, MAX_CHANGES_TO_REPLAY + 1, this.reader);
    if (entries.length > MAX_CHANGES_TO_REPLAY) return this.load();
    try {
      for (const { id, change } of entries) {
        const parsed = parseChange(change);
        if (parsed.type === 'bulkLoaded') return await this.load(); // the snapshot has it and all before it
        await this.apply(parsed);
        this.lastChange = id;
      }
      this.caughtUpAt = started;
    } catch {
      await this.load(); // a change the graph could not take: read it afresh
    }
  }

  private async apply(change: Change): Promise<void> {
    switch (change.type) {
      case 'relationRecorded':
        this.store.relation(change.relation);
        break;
      case 'relationRemoved':
        await this.remove(change.relation);
        break;
      case 'partyCreated':
        this.store.party(change.party, change.id);
        break;
      case 'partyDeleted':
        this.store.removeParty(change.party, change.id);
        break;
      default:
        return; // a change the graph does not hold (names, keys): its version stays
    }
    this.changed();
  }

  /** Removing a pair's first or last relation of a kind needs the new bounds from the database. */
  private async remove(relation: RelationRecord): Promise<void> {
    const aggregate = this.store.kindBounds(relation.consumerId, relation.providerId, relation.kind);
    const boundsMove =
      aggregate !== undefined &&
      aggregate.count > 1 &&
      (relation.occurredAt === aggregate.firstAt || relation.occurredAt === aggregate.lastAt);
    if (!boundsMove) return this.store.removeRelation(relation);
    const { _min, _max } = await this.client.relation.aggregate({
      where: { consumerId: relation.consumerId, providerId: relation.providerId, kind: relation.kind },
      _min: { occurredAt: true },
      _max: { occurredAt: true },
    });
    const remaining = _min.occurredAt && _max.occurredAt
      ? { firstAt: _min.occurredAt.getTime(), lastAt: _max.occurredAt.getTime() }
      : undefined;
    // The store is read again after the await: writes applied meanwhile are in it.
    this.store.removeRelation(relation, remaining);
  }

  private changed(): void {
    this.versionNumber++;
  }
}
