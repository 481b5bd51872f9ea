import type { RelationGraph } from '../../src/analytics/graph/relation-graph';

/** A graph's nodes and edge attributes, keyed by their ends: equal for equal graphs however built. */
export function canonical(graph: RelationGraph) {
  const nodes = graph.nodes().sort();
  const edges = graph
    .mapEdges((_edge, attributes, source, target) => [[source, target].sort().join('-'), attributes] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return { nodes, edges: Object.fromEntries(edges) };
}
