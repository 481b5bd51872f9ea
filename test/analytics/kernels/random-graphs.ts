import seedrandom from 'seedrandom';
import type { Party } from '../../../src/db/party';
import { addParty, createRelationGraph, type RelationGraph } from '../../../src/analytics/graph/relation-graph';
import { CONSUMER, type Csr, csrFromEdges, PROVIDER } from '../../../src/analytics/graph/csr';

/**
 * The same bipartite graph twice: as graphology's RelationGraph (the oracle's input) and as a
 * CSR with sides and per-edge weights (the kernels' input), with node and edge orders aligned.
 */
export interface TwinGraph {
  name: string;
  graph: RelationGraph;
  csr: Csr;
  sides: Uint8Array;
  /** Party IDs by node index, which order ties as node keys do. */
  ids: Int32Array;
  /** Each edge's relation count, also its `count` attribute. */
  counts: Float64Array;
  /** Each edge's strength in (0, 1], also its `strength` attribute. */
  strengths: Float64Array;
}

export interface Shape {
  name: string;
  consumers: number;
  providers: number;
  /** Blocks of consumers and providers with no edge between blocks: several components. */
  blocks: number;
  edges: number;
  /** Consumers and providers left without any edge. */
  isolated: number;
}

export const SHAPES: Shape[] = [
  { name: 'one dense component', consumers: 30, providers: 8, blocks: 1, edges: 110, isolated: 0 },
  { name: 'sparse, with isolated nodes', consumers: 60, providers: 12, blocks: 1, edges: 75, isolated: 5 },
  { name: 'three components and isolated nodes', consumers: 45, providers: 9, blocks: 3, edges: 90, isolated: 3 },
  { name: 'hub providers', consumers: 120, providers: 4, blocks: 1, edges: 200, isolated: 0 },
];

export function randomTwin(shape: Shape, seed = shape.name): TwinGraph {
  const random = seedrandom(seed);
  const graph = createRelationGraph();
  const sides: number[] = [];
  const ids: number[] = [];
  const party = (side: Party, id: number) => {
    addParty(graph, side, id);
    sides.push(side === 'consumer' ? CONSUMER : PROVIDER);
    ids.push(id);
    return sides.length - 1;
  };
  // Interleaved, so that node order does not put every consumer first.
  const consumers: number[] = [];
  const providers: number[] = [];
  for (let index = 0; index < Math.max(shape.consumers, shape.providers); index++) {
    if (index < shape.consumers) consumers.push(party('consumer', index + 1));
    if (index < shape.providers) providers.push(party('provider', index + 1));
  }
  const connected = (list: number[]) => list.slice(0, list.length - shape.isolated);
  const blockOf = (position: number, length: number) => Math.floor((position * shape.blocks) / length);
  const active = { consumers: connected(consumers), providers: connected(providers) };

  const sources: number[] = [];
  const targets: number[] = [];
  const counts: number[] = [];
  const strengths: number[] = [];
  for (let attempt = 0; sources.length < shape.edges && attempt < shape.edges * 20; attempt++) {
    const c = Math.floor(random() * active.consumers.length);
    const block = blockOf(c, active.consumers.length);
    // Skewed towards each block's first providers, so that degrees vary as on a real platform.
    const inBlock = active.providers.filter((_, p) => blockOf(p, active.providers.length) === block);
    const provider = inBlock[Math.floor(random() ** 2 * inBlock.length)];
    const consumer = active.consumers[c];
    if (graph.hasEdge(`c${ids[consumer]}`, `p${ids[provider]}`)) continue;
    const count = 1 + Math.floor(random() * 5);
    const strength = 0.05 + 0.95 * random();
    // Alternate the ends' order, as graphology edges may be stored either way round.
    const consumerFirst = sources.length % 2 === 0;
    const [source, target] = consumerFirst ? [consumer, provider] : [provider, consumer];
    graph.addEdge(`${consumerFirst ? 'c' : 'p'}${ids[source]}`, `${consumerFirst ? 'p' : 'c'}${ids[target]}`, { count, kinds: {}, strength });
    sources.push(source);
    targets.push(target);
    counts.push(count);
    strengths.push(strength);
  }
  return {
    name: shape.name,
    graph,
    csr: csrFromEdges(sides.length, Int32Array.from(sources), Int32Array.from(targets)),
    sides: Uint8Array.from(sides),
    ids: Int32Array.from(ids),
    counts: Float64Array.from(counts),
    strengths: Float64Array.from(strengths),
  };
}

/** Per-node values from graphology's {key: value} answers, in node order. */
export function byNode(graph: RelationGraph, values: Record<string, number>): Float64Array {
  return Float64Array.from(graph.nodes(), (node) => values[node]);
}

/** Every entry within `relative` of the oracle's (absolutely, for the oracle's zeros). */
export function expectClose(actual: Float64Array, expected: Float64Array, relative = 1e-9, absoluteAtZero = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  const worst = { index: -1, error: 0 };
  expected.forEach((wanted, index) => {
    const error = Math.abs(actual[index] - wanted) / (Math.abs(wanted) < absoluteAtZero ? 1 : Math.abs(wanted));
    if (!(error <= (Math.abs(wanted) < absoluteAtZero ? absoluteAtZero : relative)) && (worst.index < 0 || error > worst.error)) {
      Object.assign(worst, { index, error });
    }
  });
  if (worst.index >= 0) {
    throw new Error(`node ${worst.index}: ${actual[worst.index]} where ${expected[worst.index]} was expected (error ${worst.error})`);
  }
}
