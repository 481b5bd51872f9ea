import { PROVIDER, csrFromEdges } from '../graph/csr';
import type { EdgeAttributes, RelationGraph } from '../graph/relation-graph';
import { type GraphSnapshot, KINDS, SIDES, shared } from '../graph/snapshot';

/**
 * Follows the live relation graph and hands out immutable snapshots of it. Nodes and edges sit
 * in dense slots (a removal moves the last slot into the hole), so a snapshot is a counting sort
 * and a few copies, O(nodes + edges) over typed arrays, and never a walk over graphology's
 * objects: at a million relations that is milliseconds instead of most of a second. Each node's
 * and edge's slot is kept on its attributes, so following the graph needs no index of its own.
 */
export class SnapshotSource {
  private nodeKeys: string[] = [];
  private sides = new Uint8Array(1024);
  private ids = new Int32Array(1024);

  private edgeAttributes: EdgeAttributes[] = [];
  private sources = new Int32Array(1024);
  private targets = new Int32Array(1024);
  private kindCounts = new Int32Array(1024 * KINDS.length);
  /** Edge slots whose per-kind counts may have changed since the last snapshot. */
  private readonly stale = new Set<number>();

  private last: GraphSnapshot | undefined;

  constructor(private readonly graph: RelationGraph) {
    graph.forEachNode((node) => this.nodeAdded(node));
    graph.forEachEdge((_edge, attributes, source, target) => this.edgeAdded(attributes, source, target));
    graph.on('nodeAdded', ({ key }) => this.nodeAdded(key));
    graph.on('nodeDropped', ({ attributes }) => this.nodeDropped(attributes.slot!));
    graph.on('edgeAdded', ({ attributes, source, target }) => this.edgeAdded(attributes, source, target));
    graph.on('edgeDropped', ({ attributes }) => this.edgeDropped(attributes));
  }

  /** The relations on an existing edge changed: its counts are read again at the next snapshot. */
  edgeChanged(edge: string): void {
    this.stale.add(this.graph.getEdgeAttribute(edge, 'slot')!);
  }

  /** The graph as it is now, labelled `key` and `version`; the same object while nothing changed. */
  snapshot(key: string, version: number): GraphSnapshot {
    if (this.last?.version === version && this.last.key === key) return this.last;
    for (const slot of this.stale) this.readCounts(slot);
    this.stale.clear();
    const nodeCount = this.nodeKeys.length;
    const edgeCount = this.edgeAttributes.length;
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
    for (let slot = 0; slot < this.edgeAttributes.length; slot++) {
      const provider = this.sides[this.sources[slot]] === PROVIDER ? this.sources[slot] : this.targets[slot];
      visit(this.edgeAttributes[slot], this.nodeKeys[provider]);
    }
  }

  private nodeAdded(node: string): void {
    const slot = this.nodeKeys.length;
    if (slot === this.ids.length) {
      this.sides = grow(this.sides);
      this.ids = grow(this.ids);
    }
    const attributes = this.graph.getNodeAttributes(node);
    attributes.slot = slot;
    this.sides[slot] = SIDES.indexOf(attributes.side);
    this.ids[slot] = attributes.id;
    this.nodeKeys.push(node);
  }

  /** graphology drops a node's edges without events: the projection drops them first (removeParty). */
  private nodeDropped(slot: number): void {
    const last = this.nodeKeys.length - 1;
    const moved = this.nodeKeys.pop()!;
    if (slot === last) return;
    this.nodeKeys[slot] = moved;
    this.graph.setNodeAttribute(moved, 'slot', slot);
    this.sides[slot] = this.sides[last];
    this.ids[slot] = this.ids[last];
    this.graph.forEachEdge(moved, (_edge, { slot: edgeSlot }) => {
      if (this.sources[edgeSlot!] === last) this.sources[edgeSlot!] = slot;
      else this.targets[edgeSlot!] = slot;
    });
  }

  private edgeAdded(attributes: EdgeAttributes, source: string, target: string): void {
    const slot = this.edgeAttributes.length;
    if (slot === this.sources.length) {
      this.sources = grow(this.sources);
      this.targets = grow(this.targets);
      this.kindCounts = grow(this.kindCounts);
    }
    this.sources[slot] = this.graph.getNodeAttribute(source, 'slot')!;
    this.targets[slot] = this.graph.getNodeAttribute(target, 'slot')!;
    attributes.slot = slot;
    this.edgeAttributes.push(attributes);
    this.stale.add(slot);
  }

  private edgeDropped(dropped: EdgeAttributes): void {
    const slot = dropped.slot!;
    const last = this.edgeAttributes.length - 1;
    const moved = this.edgeAttributes.pop()!;
    this.stale.delete(last);
    if (slot === last) return;
    moved.slot = slot;
    this.edgeAttributes[slot] = moved;
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
