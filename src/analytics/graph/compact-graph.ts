import { addParty, createRelationGraph, type RelationGraph, type Side } from './relation-graph';

/**
 * The relation graph as flat typed arrays: what a worker thread needs to rebuild it, moved
 * between threads without copying. Node order is preserved, so per-node results line up.
 */
export interface CompactGraph {
  sides: Uint8Array;
  ids: Int32Array;
  sources: Int32Array;
  targets: Int32Array;
  counts: Float64Array;
  /** Each edge's relationship strength, when analytics weigh by it. */
  strengths?: Float64Array;
}

const SIDES: Side[] = ['consumer', 'provider'];

export function compactGraph(graph: RelationGraph, strengths?: Float64Array): CompactGraph {
  const indexOf = new Map<string, number>();
  const sides = new Uint8Array(graph.order);
  const ids = new Int32Array(graph.order);
  let index = 0;
  graph.forEachNode((node, attributes) => {
    indexOf.set(node, index);
    sides[index] = SIDES.indexOf(attributes.side);
    ids[index++] = attributes.id;
  });
  const sources = new Int32Array(graph.size);
  const targets = new Int32Array(graph.size);
  const counts = new Float64Array(graph.size);
  index = 0;
  graph.forEachEdge((_edge, attributes, source, target) => {
    sources[index] = indexOf.get(source)!;
    targets[index] = indexOf.get(target)!;
    counts[index++] = attributes.count;
  });
  // A copy, because the arrays are transferred to the worker and the caller keeps its own.
  return { sides, ids, sources, targets, counts, strengths: strengths?.slice() };
}

/** Rebuilds the graph from its compact form, with each edge's count and strength (per-kind detail is not carried). */
export function expandGraph(compact: CompactGraph): RelationGraph {
  const graph = createRelationGraph();
  const keys = Array.from(compact.ids, (id, index) => addParty(graph, SIDES[compact.sides[index]], id));
  for (let edge = 0; edge < compact.sources.length; edge++) {
    graph.addEdge(keys[compact.sources[edge]], keys[compact.targets[edge]], {
      count: compact.counts[edge],
      kinds: {},
      strength: compact.strengths?.[edge],
    });
  }
  return graph;
}

export function transferList(compact: CompactGraph): ArrayBuffer[] {
  const arrays = [compact.sides, compact.ids, compact.sources, compact.targets, compact.counts, compact.strengths];
  return arrays.flatMap((array) => (array ? [array.buffer as ArrayBuffer] : []));
}
