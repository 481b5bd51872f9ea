import type { RelationGraph } from './relation-graph';

/** What two providers have in common: their shared consumers, and those weighed by activity. */
export interface CoConsumption {
  /** Consumers with relations to both providers. */
  shared: number;
  /**
   * Σ 1/deg(v) over the shared consumers v: the probability mass a random walk from one provider
   * carries to the other through them, before the providers' own degrees are applied.
   */
  walk: number;
}

/**
 * Provider–provider co-consumption, kept current by the graph's own edge events: a new or
 * removed edge of consumer u costs O(deg(u)²), so a write never rebuilds the index. It is what
 * recommendations and provider similarity read, so a query costs a few row look-ups.
 */
export class CoConsumptionIndex {
  private readonly rows = new Map<string, Map<string, CoConsumption>>();

  private constructor(private readonly graph: RelationGraph) {}

  /** Builds the index of `graph` and follows its later edge changes. */
  static attach(graph: RelationGraph): CoConsumptionIndex {
    const index = new CoConsumptionIndex(graph);
    graph.forEachNode((node, attributes) => {
      if (attributes.side === 'consumer') index.addConsumerPairs(node, graph.neighbors(node), 1);
    });
    graph.on('edgeAdded', ({ source, target }) => index.edgeAdded(...index.orient(source, target)));
    graph.on('edgeDropped', ({ source, target }) => index.edgeDropped(...index.orient(source, target)));
    return index;
  }

  /** The providers that share consumers with `provider`, and what they share. */
  row(provider: string): ReadonlyMap<string, CoConsumption> {
    return this.rows.get(provider) ?? EMPTY;
  }

  private orient(source: string, target: string): [consumer: string, provider: string] {
    return this.graph.getNodeAttribute(source, 'side') === 'consumer' ? [source, target] : [target, source];
  }

  /** The graph already holds the edge: the consumer's degree has grown by one. */
  private edgeAdded(consumer: string, provider: string): void {
    const others = this.graph.neighbors(consumer).filter((node) => node !== provider);
    const degree = others.length + 1;
    if (others.length > 1) this.addConsumerPairs(consumer, others, 0, 1 / degree - 1 / (degree - 1));
    for (const other of others) this.addPair(provider, other, 1, 1 / degree);
  }

  /** The graph no longer holds the edge: the consumer's degree has shrunk by one. */
  private edgeDropped(consumer: string, provider: string): void {
    const others = this.graph.neighbors(consumer);
    const degree = others.length + 1;
    if (others.length > 1) this.addConsumerPairs(consumer, others, 0, 1 / (degree - 1) - 1 / degree);
    for (const other of others) this.addPair(provider, other, -1, -1 / degree);
  }

  /** Adds `shared` and `walk` (by default 1/deg) to every pair among a consumer's providers. */
  private addConsumerPairs(consumer: string, providers: string[], shared: number, walk = 1 / providers.length): void {
    for (let a = 0; a < providers.length; a++) {
      for (let b = a + 1; b < providers.length; b++) this.addPair(providers[a], providers[b], shared, walk);
    }
  }

  private addPair(a: string, b: string, shared: number, walk: number): void {
    this.addDirected(a, b, shared, walk);
    this.addDirected(b, a, shared, walk);
  }

  private addDirected(from: string, to: string, shared: number, walk: number): void {
    let row = this.rows.get(from);
    if (!row) this.rows.set(from, (row = new Map()));
    const entry = row.get(to);
    if (!entry) {
      row.set(to, { shared, walk });
      return;
    }
    entry.shared += shared;
    entry.walk += walk;
    if (entry.shared === 0) row.delete(to);
  }
}

const EMPTY: ReadonlyMap<string, CoConsumption> = new Map();

const indexes = new WeakMap<RelationGraph, CoConsumptionIndex>();

/** The index of a graph, built on first use and then kept current with it. */
export function coConsumptionOf(graph: RelationGraph): CoConsumptionIndex {
  let index = indexes.get(graph);
  if (!index) indexes.set(graph, (index = CoConsumptionIndex.attach(graph)));
  return index;
}
