import { RelationKind } from '../../generated/prisma/enums';
import { type Csr, csrFromEdges } from './csr';
import type { RelationGraph, Side } from './relation-graph';

/** Relation kinds in the order of a snapshot's per-kind columns. */
export const KINDS: readonly RelationKind[] = Object.values(RelationKind);
export const SIDES: readonly Side[] = ['consumer', 'provider'];

/**
 * One version of the relation graph as immutable typed arrays: what every whole-graph answer is
 * computed from, so that scores, ranks, parties and the version of one answer always agree.
 * Arrays live in SharedArrayBuffers: handing a snapshot to the analytics worker copies nothing.
 */
export interface GraphSnapshot {
  /** Names the snapshot among all others in this process (projection instance and version). */
  key: string;
  version: number;
  /** Per node: its side (index into SIDES) and its consumer or provider ID. */
  sides: Uint8Array;
  ids: Int32Array;
  csr: Csr;
  /** Relations per edge and kind: kindCounts[edge * KINDS.length + kind]. */
  kindCounts: Int32Array;
}

/** A snapshot's node as an API party. */
export function partyAt(snapshot: GraphSnapshot, node: number): { party: Side; id: number } {
  return { party: SIDES[snapshot.sides[node]], id: snapshot.ids[node] };
}

/** Which kinds a question covers, as a mask over KINDS; null or empty means all of them. */
export function kindMask(kinds?: readonly RelationKind[] | null): number {
  if (!kinds?.length) return (1 << KINDS.length) - 1;
  return kinds.reduce((mask, kind) => mask | (1 << KINDS.indexOf(kind)), 0);
}

export const ALL_KINDS_MASK = kindMask(null);

/** Relations per edge over the kinds of `mask`. */
export function edgeCounts(snapshot: GraphSnapshot, mask: number): Float64Array {
  const counts = new Float64Array(snapshot.csr.edgeCount);
  for (let edge = 0; edge < counts.length; edge++) {
    for (let kind = 0; kind < KINDS.length; kind++) {
      if (mask & (1 << kind)) counts[edge] += snapshot.kindCounts[edge * KINDS.length + kind];
    }
  }
  return counts;
}

/**
 * The snapshot restricted to the relation kinds of `mask`: every node stays, an edge stays when
 * it has relations of those kinds. Edges are renumbered; `kept[newEdge]` is the original edge.
 */
export function restrictSnapshot(snapshot: GraphSnapshot, mask: number): { snapshot: GraphSnapshot; kept: Int32Array } {
  if (mask === ALL_KINDS_MASK) return { snapshot, kept: identity(snapshot.csr.edgeCount) };
  const counts = edgeCounts(snapshot, mask);
  const { sources, targets } = edgeEnds(snapshot.csr);
  const kept: number[] = [];
  for (let edge = 0; edge < counts.length; edge++) if (counts[edge] > 0) kept.push(edge);
  const keptEdges = Int32Array.from(kept);
  const kindCounts = new Int32Array(kept.length * KINDS.length);
  keptEdges.forEach((edge, index) => {
    for (let kind = 0; kind < KINDS.length; kind++) {
      if (mask & (1 << kind)) kindCounts[index * KINDS.length + kind] = snapshot.kindCounts[edge * KINDS.length + kind];
    }
  });
  const csr = csrFromEdges(
    snapshot.sides.length,
    Int32Array.from(keptEdges, (edge) => sources[edge]),
    Int32Array.from(keptEdges, (edge) => targets[edge]),
  );
  return { snapshot: { ...snapshot, key: `${snapshot.key}:${mask}`, csr, kindCounts }, kept: keptEdges };
}

/** Each edge's two ends, lower node index first. */
export function edgeEnds(csr: Csr): { sources: Int32Array; targets: Int32Array } {
  const sources = new Int32Array(csr.edgeCount);
  const targets = new Int32Array(csr.edgeCount);
  for (let node = 0; node < csr.nodeCount; node++) {
    for (let entry = csr.offsets[node]; entry < csr.offsets[node + 1]; entry++) {
      if (csr.neighbors[entry] > node) {
        sources[csr.edges[entry]] = node;
        targets[csr.edges[entry]] = csr.neighbors[entry];
      }
    }
  }
  return { sources, targets };
}

function identity(length: number): Int32Array {
  return Int32Array.from({ length }, (_, index) => index);
}

/** A copy of `array` in shared memory, so that posting it to a worker shares instead of copying. */
export function shared<Array extends Int32Array | Uint8Array | Float64Array>(array: Array): Array {
  const Type = array.constructor as new (buffer: SharedArrayBuffer) => Array;
  const copy = new Type(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

/**
 * The snapshot of a graphology relation graph, nodes and edges in the graph's own iteration
 * order (so `graph.forEachEdge` visits edges in snapshot edge order), in shared memory.
 */
export function snapshotOfGraph(graph: RelationGraph, key: string, version: number): GraphSnapshot {
  const indexOf = new Map<string, number>();
  const sides = new Uint8Array(graph.order);
  const ids = new Int32Array(graph.order);
  graph.forEachNode((node, { side, id }) => {
    sides[indexOf.size] = SIDES.indexOf(side);
    ids[indexOf.size] = id;
    indexOf.set(node, indexOf.size);
  });
  const sources = new Int32Array(graph.size);
  const targets = new Int32Array(graph.size);
  const kindCounts = new Int32Array(graph.size * KINDS.length);
  let edge = 0;
  graph.forEachEdge((_edge, { kinds }, source, target) => {
    sources[edge] = indexOf.get(source)!;
    targets[edge] = indexOf.get(target)!;
    KINDS.forEach((kind, index) => (kindCounts[edge * KINDS.length + index] = kinds[kind]?.count ?? 0));
    edge++;
  });
  const csr = csrFromEdges(graph.order, sources, targets);
  return {
    key,
    version,
    sides: shared(sides),
    ids: shared(ids),
    csr: { ...csr, offsets: shared(csr.offsets), neighbors: shared(csr.neighbors), edges: shared(csr.edges) },
    kindCounts: shared(kindCounts),
  };
}
