import { connectedComponents } from 'graphology-components';
import { bidirectional } from 'graphology-shortest-path/unweighted';
import type { RelationGraph } from './relation-graph';

export interface GraphStatistics {
  consumers: number;
  providers: number;
  edges: number;
  /** Edges over possible node pairs, 2m / (n (n − 1)), as networkx's `density`. */
  density: number;
  connectedComponents: number;
  largestComponentSize: number;
}

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

/** The shortest chain of nodes from one node to another, both included, or null when none exists. */
export function shortestPath(graph: RelationGraph, from: string, to: string): string[] | null {
  if (!graph.hasNode(from) || !graph.hasNode(to)) return null;
  if (from === to) return [from];
  return bidirectional(graph, from, to);
}
