import { csrFromEdges } from '../graph/csr';
import type { EdgeAttributes, RelationGraph } from '../graph/relation-graph';
import { type GraphSnapshot, KINDS, SIDES, shared } from '../graph/snapshot';

/**
 * Follows the live relation graph and hands out immutable snapshots of it. Nodes and edges sit
 * in dense slots (a removal moves the last slot into the hole), so a snapshot is a counting sort
 * and a few copies, O(nodes + edges) over typed arrays, and never a walk over graphology's
 * objects: at a million relations that is milliseconds instead of most of a second.
 */
export class SnapshotSource {
  private nodeSlots = new Map<string, number>();
  private nodeKeys: string[] = [];
  private sides = new Uint8Array(1024);
  private ids = new Int32Array(1024);

  private edgeSlots = new Map<string, number>();
  private edgeKeys: string[] = [];
  private edgeAttributes: EdgeAttributes[] = [];
  private sources = new Int32Array(1024);
  private targets = new Int32Array(1024);
  private kindCounts = new Int32Array(1024 * KINDS.length);
  /** Edge slots whose per-kind counts may have changed since the last snapshot. */
  private readonly stale = new Set<number>();

  private last: GraphSnapshot | undefined;

  constructor(private readonly graph: RelationGraph) {
    graph.forEachNode((node) => this.nodeAdded(node));
    graph.forEachEdge((edge, attributes, source, target) => this.edgeAdded(edge, attributes, source, target));
    graph.on('nodeAdded', ({ key }) => this.nodeAdded(key));
    graph.on('nodeDropped', ({ key }) => this.nodeDropped(key));
    graph.on('edgeAdded', ({ key, attributes, source, target }) => this.edgeAdded(key, attributes, source, target));
    graph.on('edgeDropped', ({ key }) => this.edgeDropped(key));
  }

  /** The relations on an existing edge changed: its counts are read again at the next snapshot. */
  edgeChanged(edge: string): void {
    const slot = this.edgeSlots.get(edge);
    if (slot !== undefined) this.stale.add(slot);
  }

  /** The graph as it is now, labelled `key` and `version`; the same object while nothing changed. */
  snapshot(key: string, version: number): GraphSnapshot {
    if (this.last?.version === version && this.last.key === key) return this.last;
    for (const slot of this.stale) this.readCounts(slot);
    this.stale.clear();
    const nodeCount = this.nodeKeys.length;
    const edgeCount = this.edgeKeys.length;
    const csr = csrFromEdges(nodeCount, this.sources.subarray(0, edgeCount), this.targets.subarray(0, edgeCount));
    this.last = {
      key,
      version,
      sides: shared(this.sides.subarray(0, nodeCount)),
      ids: shared(this.ids.subarray(0, nodeCount)),
      csr: { ...csr, offsets: shared(csr.offsets), neighbors: shared(csr.neighbors), edges: shared(csr.edges) },
      kindCounts: shared(this.kindCounts.subarray(0, edgeCount * KINDS.length)),
    };
    return this.last;
  }

  /** Each edge's attributes in snapshot edge order, with its provider's node key. */
  forEachEdge(visit: (attributes: EdgeAttributes, provider: string) => void): void {
    for (let slot = 0; slot < this.edgeKeys.length; slot++) {
      const provider = this.sides[this.sources[slot]] === 1 ? this.sources[slot] : this.targets[slot];
      visit(this.edgeAttributes[slot], this.nodeKeys[provider]);
    }
  }

  private nodeAdded(node: string): void {
    const slot = this.nodeKeys.length;
    if (slot === this.ids.length) {
      this.sides = grow(this.sides);
      this.ids = grow(this.ids);
    }
    const { side, id } = this.graph.getNodeAttributes(node);
    this.sides[slot] = SIDES.indexOf(side);
    this.ids[slot] = id;
    this.nodeSlots.set(node, slot);
    this.nodeKeys.push(node);
  }

  /** graphology drops a node's edges without events: the projection drops them first (removeParty). */
  private nodeDropped(node: string): void {
    const slot = this.nodeSlots.get(node)!;
    const last = this.nodeKeys.length - 1;
    const moved = this.nodeKeys[last];
    this.nodeSlots.delete(node);
    this.nodeKeys.pop();
    if (slot === last) return;
    this.nodeKeys[slot] = moved;
    this.nodeSlots.set(moved, slot);
    this.sides[slot] = this.sides[last];
    this.ids[slot] = this.ids[last];
    this.graph.forEachEdge(moved, (edge) => {
      const edgeSlot = this.edgeSlots.get(edge)!;
      if (this.sources[edgeSlot] === last) this.sources[edgeSlot] = slot;
      else this.targets[edgeSlot] = slot;
    });
  }

  private edgeAdded(edge: string, attributes: EdgeAttributes, source: string, target: string): void {
    const slot = this.edgeKeys.length;
    if (slot === this.sources.length) {
      this.sources = grow(this.sources);
      this.targets = grow(this.targets);
      this.kindCounts = grow(this.kindCounts);
    }
    this.sources[slot] = this.nodeSlots.get(source)!;
    this.targets[slot] = this.nodeSlots.get(target)!;
    this.edgeSlots.set(edge, slot);
    this.edgeKeys.push(edge);
    this.edgeAttributes.push(attributes);
    this.stale.add(slot);
  }

  private edgeDropped(edge: string): void {
    const slot = this.edgeSlots.get(edge)!;
    const last = this.edgeKeys.length - 1;
    const moved = this.edgeKeys[last];
    this.edgeSlots.delete(edge);
    this.edgeKeys.pop();
    const attributes = this.edgeAttributes.pop()!;
    this.stale.delete(last);
    if (slot === last) return;
    this.edgeKeys[slot] = moved;
    this.edgeSlots.set(moved, slot);
    this.edgeAttributes[slot] = attributes;
    this.sources[slot] = this.sources[last];
    this.targets[slot] = this.targets[last];
    this.stale.add(slot);
  }

  private readCounts(slot: number): void {
    const { kinds } = this.edgeAttributes[slot];
    for (let kind = 0; kind < KINDS.length; kind++) {
      this.kindCounts[slot * KINDS.length + kind] = kinds[KINDS[kind]]?.count ?? 0;
    }
  }
}

function grow<Array extends Uint8Array | Int32Array>(array: Array): Array {
  const Type = array.constructor as new (length: number) => Array;
  const bigger = new Type(array.length * 2);
  bigger.set(array as never);
  return bigger;
}
