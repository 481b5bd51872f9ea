import type { RelationGraph } from '../../src/analytics/graph/relation-graph';
import { type GraphSnapshot, KINDS, edgeEnds, partyAt } from '../../src/analytics/graph/snapshot';

/** A graph's nodes and edge attributes (less their snapshot slots), keyed by their ends: equal for equal graphs however built. */
export function canonical(graph: RelationGraph) {
  const nodes = graph.nodes().sort();
  const edges = graph
    .mapEdges((_edge, { slot: _slot, ...attributes }, source, target) => [[source, target].sort().join('-'), attributes] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return { nodes, edges: Object.fromEntries(edges) };
}

/** A snapshot's parties and per-kind edge counts, keyed by their ends: equal for equal graphs whatever the node order. */
export function canonicalSnapshot(snapshot: GraphSnapshot) {
  const name = (node: number) => {
    const { party, id } = partyAt(snapshot, node);
    return `${party}:${id}`;
  };
  const nodes = Array.from(snapshot.ids, (_id, node) => name(node)).sort();
  const { sources, targets } = edgeEnds(snapshot.csr);
  const edges = Array.from(sources, (source, edge) => {
    const counts = KINDS.map((_kind, kind) => snapshot.kindCounts[edge * KINDS.length + kind]).join(',');
    return `${[name(source), name(targets[edge])].sort().join('-')}=${counts}`;
  }).sort();
  return { nodes, edges };
}
