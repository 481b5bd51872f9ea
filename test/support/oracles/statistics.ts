// The graphology implementation the API used before the CSR kernels: kept as a test oracle.
import { connectedComponents } from 'graphology-components';
import type { GraphStatistics } from '../../../src/analytics/graph/kernels/components';
import type { RelationGraph } from '../../../src/analytics/graph/relation-graph';


export function graphStatistics(graph: RelationGraph): GraphStatistics {
  let consumers = 0;
  graph.forEachNode((_node, attributes) => attributes.side === 'consumer' && consumers++);
  const components = connectedComponents(graph);
  const order = graph.order;
  return {
    consumers,
    providers: order - consumers,
    edges: graph.size,
    density: order > 1 ? (2 * graph.size) / (order * (order - 1)) : 0,
    connectedComponents: components.length,
    largestComponentSize: components.reduce((largest, component) => Math.max(largest, component.length), 0),
  };
}
