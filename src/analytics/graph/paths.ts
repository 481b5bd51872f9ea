import { bidirectional } from 'graphology-shortest-path/unweighted';
import type { RelationGraph } from './relation-graph';

/** The shortest chain of nodes from one node to another, both included, or null when none exists. */
export function shortestPath(graph: RelationGraph, from: string, to: string): string[] | null {
  if (!graph.hasNode(from) || !graph.hasNode(to)) return null;
  if (from === to) return [from];
  return bidirectional(graph, from, to);
}
