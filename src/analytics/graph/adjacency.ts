import type { Party, PartyRef } from '../../db/party';
import { type Csr, PROVIDER } from './csr';
import { type GraphSnapshot, SIDES } from './snapshot';

/**
 * Read access to a bipartite relation graph by node index, what per-node questions
 * (recommendations, similar parties, paths) need: the live store and a snapshot's CSR both offer
 * it, so the same code answers over all kinds on the request thread and over some in the worker.
 * Node indices below `nodeBound` may be vacant (a deleted party, until the store compacts).
 */
export interface Adjacency {
  readonly nodeBound: number;
  /** The node of a party, or −1 when the graph does not hold it. */
  nodeOf(party: Party, id: number): number;
  isNode(node: number): boolean;
  sideOf(node: number): number;
  idOf(node: number): number;
  degree(node: number): number;
  forEachNeighbor(node: number, visit: (neighbor: number) => void): void;
  /** Writes the neighbours of `node` to the start of `into` (room for `degree(node)` at least) and says how many: for hot loops, no call per neighbour. */
  neighborsInto(node: number, into: Int32Array): number;
}

/** The party a node stands for. */
export function partyOf(graph: Adjacency, node: number): PartyRef {
  return { party: SIDES[graph.sideOf(node)], id: graph.idOf(node) };
}

export function isProvider(graph: Adjacency, node: number): boolean {
  return graph.sideOf(node) === PROVIDER;
}

/** A snapshot as an Adjacency; the node index of a party is looked up once per snapshot. */
export function snapshotAdjacency(snapshot: GraphSnapshot): Adjacency {
  const { csr, sides, ids } = snapshot;
  let index: Map<number, number> | undefined;
  return {
    nodeBound: csr.nodeCount,
    nodeOf(party, id) {
      index ??= new Map(Array.from(ids, (nodeId, node) => [nodeId * 2 + sides[node], node]));
      return index.get(id * 2 + SIDES.indexOf(party)) ?? -1;
    },
    isNode: () => true,
    sideOf: (node) => sides[node],
    idOf: (node) => ids[node],
    degree: (node) => csr.offsets[node + 1] - csr.offsets[node],
    forEachNeighbor: (node, visit) => forEachCsrNeighbor(csr, node, visit),
    neighborsInto(node, into) {
      const row = csr.neighbors.subarray(csr.offsets[node], csr.offsets[node + 1]);
      into.set(row);
      return row.length;
    },
  };
}

function forEachCsrNeighbor(csr: Csr, node: number, visit: (neighbor: number) => void): void {
  for (let entry = csr.offsets[node]; entry < csr.offsets[node + 1]; entry++) visit(csr.neighbors[entry]);
}

/** A party's key in graphology graphs and task messages: `c12` is consumer 12, `p3` provider 3. */
export function nodeKey(party: Party, id: number): string {
  return `${party === 'consumer' ? 'c' : 'p'}${id}`;
}

/** The party a node key names. */
export function partyOfKey(key: string): PartyRef {
  return { party: key[0] === 'c' ? 'consumer' : 'provider', id: Number(key.slice(1)) };
}
