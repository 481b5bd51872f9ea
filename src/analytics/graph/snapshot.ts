import { RelationKind } from '../../generated/prisma/enums';
import type { Party, PartyRef } from '../../db/party';
import { type Csr, type EdgeEnds, csrFromEdges } from './csr';

/** Relation kinds in the order of a snapshot's per-kind columns. */
export const KINDS: readonly RelationKind[] = Object.values(RelationKind);
/** Parties in the order of a snapshot's side codes (csr.ts's CONSUMER and PROVIDER). */
export const SIDES: readonly Party[] = ['consumer', 'provider'];

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
  /** The CSR's edges by their ends: what tells a later snapshot whether it only added to this one. */
  ends: EdgeEnds;
  /** Relations per edge and kind: kindCounts[edge * KINDS.length + kind]. */
  kindCounts: Int32Array;
}

/** A snapshot's node as an API party. */
export function partyAt(snapshot: GraphSnapshot, node: number): PartyRef {
  return { party: SIDES[snapshot.sides[node]], id: snapshot.ids[node] };
}

/** One side's nodes, in node order. */
export function nodesOf(snapshot: GraphSnapshot, party: Party): Int32Array {
  const { sides } = snapshot;
  const side = SIDES.indexOf(party);
  let count = 0;
  for (let node = 0; node < sides.length; node++) if (sides[node] === side) count++;
  const nodes = new Int32Array(count);
  for (let node = 0, at = 0; node < sides.length; node++) if (sides[node] === side) nodes[at++] = node;
  return nodes;
}

/**
 * Finds a party's node in `snapshot` (-1 when it holds none) by binary search over each side's
 * nodes sorted by ID: two typed arrays, where a map keyed by party made 102,000 strings per
 * snapshot at 1M relations.
 */
export function nodeFinder(snapshot: GraphSnapshot): (party: Party, id: number) => number {
  const { ids } = snapshot;
  const bySide = SIDES.map((party) => nodesOf(snapshot, party).sort((a, b) => ids[a] - ids[b]));
  return (party, id) => {
    const nodes = bySide[SIDES.indexOf(party)];
    for (let low = 0, high = nodes.length - 1; low <= high; ) {
      const middle = (low + high) >>> 1;
      const found = ids[nodes[middle]];
      if (found === id) return nodes[middle];
      if (found < id) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  };
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
  const { sources, targets } = snapshot.ends;
  const kept: number[] = [];
  for (let edge = 0; edge < counts.length; edge++) if (counts[edge] > 0) kept.push(edge);
  const keptEdges = Int32Array.from(kept);
  const kindCounts = new Int32Array(kept.length * KINDS.length);
  keptEdges.forEach((edge, index) => {
    for (let kind = 0; kind < KINDS.length; kind++) {
      if (mask & (1 << kind)) kindCounts[index * KINDS.length + kind] = snapshot.kindCounts[edge * KINDS.length + kind];
    }
  });
  const ends = { sources: Int32Array.from(keptEdges, (edge) => sources[edge]), targets: Int32Array.from(keptEdges, (edge) => targets[edge]) };
  const csr = csrFromEdges(snapshot.sides.length, ends.sources, ends.targets);
  return { snapshot: { ...snapshot, key: `${snapshot.key}:${mask}`, csr, ends, kindCounts }, kept: keptEdges };
}

/** Each edge's two ends, lower node index first. */
export function edgeEnds(csr: Csr): EdgeEnds {
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

/** A plain loop: Int32Array.from with a mapping function takes 13 ms at 476k edges, on every task. */
function identity(length: number): Int32Array {
  const identity = new Int32Array(length);
  for (let index = 0; index < length; index++) identity[index] = index;
  return identity;
}

/** A copy of `array` in shared memory, so that posting it to a worker shares instead of copying. */
export function shared<Array extends Int32Array | Uint8Array | Float64Array>(array: Array): Array {
  const Type = array.constructor as new (buffer: SharedArrayBuffer) => Array;
  const copy = new Type(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

/** A zeroed Int32Array in shared memory. */
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

/** The pairs of one graph version as columns: what any source of pair aggregates can hand over. */
export interface PairColumns {
  /** Per node: its side (index into SIDES) and its consumer or provider ID. */
  sides: Uint8Array;
  ids: Int32Array;
  /** Per pair: its two ends, as node indices. */
  sources: Int32Array;
  targets: Int32Array;
  /** Relations per pair and kind: kindCounts[pair * KINDS.length + kind]. */
  kindCounts: Int32Array;
}

/**
 * A snapshot of pair aggregates, whatever read them (the live store, a windowed query): pair p
 * becomes edge p. Arrays already in shared memory are shared as they are, others are copied once.
 */
export function snapshotOfPairs(key: string, version: number, pairs: PairColumns): GraphSnapshot {
  const csr = csrFromEdges(pairs.sides.length, pairs.sources, pairs.targets, sharedInt32);
  const ends = { sources: inShared(pairs.sources), targets: inShared(pairs.targets) };
  return { key, version, sides: inShared(pairs.sides), ids: inShared(pairs.ids), csr, ends, kindCounts: inShared(pairs.kindCounts) };
}

function inShared<Array extends Int32Array | Uint8Array>(array: Array): Array {
  return array.buffer instanceof SharedArrayBuffer ? array : shared(array);
}
