import { randomUUID } from 'node:crypto';
import { readGraphSnapshot } from '../../db/graph-source';
import type { GraphSnapshot } from '../graph/snapshot';
import { RelationStore } from './store';
import { type TimeWindow, windowKey } from './window';

/** The relation graph of one time window, read from the database at one change log position. */
export interface WindowGraph {
  window: TimeWindow;
  /** The change log position the read included: the graph version its answers report (not the live projection's). */
  version: number;
  /** Per-pair aggregates, for per-node questions (relationship strength). */
  graph: RelationStore;
  /** The same graph as typed arrays, for the worker tasks. */
  snapshot: GraphSnapshot;
}

/**
 * Windowed graphs, read from the database (never from the live projection, whose internals do not
 * keep relation times) and kept per window while no newer version is asked for. What is kept is
 * bounded by pairs, not by windows: a history's dozens of weekly graphs fit where two all-time
 * ones would not.
 */
export class WindowGraphs {
  private readonly instance = randomUUID();
  /** Least recently used first. */
  private readonly built = new Map<string, Promise<WindowGraph>>();
  /** Pairs of each graph read, by window. */
  private readonly pairs = new Map<string, number>();
  /** The last change log position seen: how far behind a windowed answer is. */
  latestChange = 0;
  builds = 0;

  /** `lastChange` reads the position of the last change committed to the database at `databaseUrl`. */
  constructor(
    private readonly databaseUrl: string,
    /** Pairs the kept graphs hold together, at most; the graph read last is kept whatever its size. */
    private readonly maxPairs: number,
    private readonly lastChange: () => Promise<number>,
  ) {}

  /** The change log position now: a windowed answer computed at it includes every write committed before. */
  async currentChange(): Promise<number> {
    this.latestChange = Math.max(this.latestChange, await this.lastChange());
    return this.latestChange;
  }

  /**
   * The graph of `window` at change log position `atLeast` (by default, the current one) or later:
   * the one kept when it is recent enough, else a new read.
   */
  async graphOf(window: TimeWindow, atLeast?: number): Promise<WindowGraph> {
    atLeast ??= await this.currentChange();
    const key = windowKey(window);
    const kept = this.built.get(key);
    if (kept) {
      this.built.delete(key); // re-inserted below: the map's order is least recently used first
      this.built.set(key, kept);
      const graph = await kept.catch(() => undefined);
      if (graph && graph.version >= atLeast) return graph;
      if (this.built.get(key) !== kept) return this.graphOf(window, atLeast); // another caller started a newer read
    }
    return this.read(key, window);
  }

  private read(key: string, window: TimeWindow): Promise<WindowGraph> {
    const reading = this.load(key, window).then((read) => {
      if (this.built.get(key) === reading) {
        this.pairs.set(key, read.graph.size);
        this.evictBeyondBudget(key);
      }
      return read;
    });
    this.built.set(key, reading);
    reading.catch(() => this.built.get(key) === reading && this.forget(key));
    return reading;
  }

  private async load(key: string, window: TimeWindow): Promise<WindowGraph> {
    this.builds++;
    const graph = new RelationStore();
    const version = await readGraphSnapshot(this.databaseUrl, graph, window);
    const snapshot = graph.snapshot(`${this.instance}:${key}:${version}`, version);
    graph.trim();
    return { window, version, graph, snapshot };
  }

  /** Drops the least recently used graphs read until those kept hold at most maxPairs pairs. */
  private evictBeyondBudget(keep: string): void {
    let total = [...this.pairs.values()].reduce((sum, pairs) => sum + pairs, 0);
    for (const key of [...this.built.keys()]) {
      if (total <= this.maxPairs) return;
      const pairs = this.pairs.get(key);
      if (key === keep || pairs === undefined) continue; // reads under way are not counted yet
      total -= pairs;
      this.forget(key);
    }
  }

  private forget(key: string): void {
    this.built.delete(key);
    this.pairs.delete(key);
  }
}
