import { DirectedGraph } from 'graphology';
import type { EdgeAttributes, NodeAttributes, RelationGraph } from '../../../src/analytics/graph/relation-graph';

/** The relation graph directed from each consumer to its providers: what graphology-metrics' HITS reads. */
export function consumerToProvider(graph: RelationGraph) {
  const directed = new DirectedGraph<NodeAttributes, EdgeAttributes>();
  graph.forEachNode((node, attributes) => directed.addNode(node, attributes));
  graph.forEachEdge((_edge, attributes, source, target) => {
    const consumerFirst = graph.getNodeAttribute(source, 'side') === 'consumer';
    directed.addEdge(consumerFirst ? source : target, consumerFirst ? target : source, attributes);
  });
  return directed;
}
