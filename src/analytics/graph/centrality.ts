import { DirectedGraph } from 'graphology';
import betweennessCentrality from 'graphology-metrics/centrality/betweenness';
import closenessCentrality from 'graphology-metrics/centrality/closeness';
import { degreeCentrality } from 'graphology-metrics/centrality/degree';
import eigenvectorCentrality from 'graphology-metrics/centrality/eigenvector';
import hits from 'graphology-metrics/centrality/hits';
import pagerank from 'graphology-metrics/centrality/pagerank';
import type { EdgeAttributes, NodeAttributes, RelationGraph } from './relation-graph';
import { sampledBetweenness } from './sampled-betweenness';
import { type EdgeWeight, edgeLengthGetter, edgeWeightGetter } from './weights';

export const CENTRALITY_METRICS = [
  'DEGREE',
  'WEIGHTED_DEGREE',
  'PAGERANK',
  'BETWEENNESS',
  'CLOSENESS',
  'EIGENVECTOR',
  'HITS_HUB',
  'HITS_AUTHORITY',
] as const;
export type CentralityMetric = (typeof CENTRALITY_METRICS)[number];

/** Metrics defined on hop counts only, where an edge weight would be silently ignored. */
export const UNWEIGHTED_METRICS: ReadonlySet<CentralityMetric> = new Set(['DEGREE', 'CLOSENESS']);

export interface CentralityOptions {
  metric: CentralityMetric;
  weight: EdgeWeight;
  /** Past this many nodes, betweenness is estimated from `betweennessSamples` sources. */
  betweennessExactMaxNodes: number;
  betweennessSamples: number;
  seed: string;
}

export interface CentralityScores {
  /** One score per node, in the graph's node order. */
  scores: Float64Array;
  approximate: boolean;
  sampleSize: number | null;
}

// Tight enough that iterative metrics agree with networkx to better than 1e-6 relative.
const ITERATION = { tolerance: 1e-12, maxIterations: 10_000 };

/** A centrality metric over the relation graph, with networkx's conventions (see docs/analytics.md). */
export function computeCentrality(graph: RelationGraph, options: CentralityOptions): CentralityScores {
  const exact = (byNode: Record<string, number>): CentralityScores => ({
    scores: Float64Array.from(graph.nodes(), (node) => byNode[node] ?? 0),
    approximate: false,
    sampleSize: null,
  });
  const getEdgeWeight = edgeWeightGetter(options.weight);

  switch (options.metric) {
    case 'DEGREE':
      return exact(degreeCentrality(graph));
    case 'WEIGHTED_DEGREE': {
      const strength = Float64Array.from(graph.nodes(), (node) =>
        graph.reduceEdges(node, (sum, edge, attributes) => sum + (getEdgeWeight ? getEdgeWeight(edge, attributes) : 1), 0),
      );
      return { scores: strength, approximate: false, sampleSize: null };
    }
    case 'PAGERANK':
      return exact(pagerank(graph, { alpha: 0.85, getEdgeWeight, ...ITERATION }));
    case 'BETWEENNESS': {
      const getEdgeLength = edgeLengthGetter(options.weight);
      if (graph.order <= options.betweennessExactMaxNodes) {
        return exact(betweennessCentrality(graph, { normalized: true, getEdgeWeight: getEdgeLength }));
      }
      const scores = sampledBetweenness(graph, { samples: options.betweennessSamples, seed: options.seed, getEdgeLength });
      return { scores, approximate: true, sampleSize: Math.min(options.betweennessSamples, graph.order) };
    }
    case 'CLOSENESS':
      return exact(closenessCentrality(graph, { wassermanFaust: false }));
    case 'EIGENVECTOR':
      return exact(eigenvectorCentrality(graph, { getEdgeWeight, ...ITERATION }));
    case 'HITS_HUB':
    case 'HITS_AUTHORITY': {
      const { hubs, authorities } = hits(consumerToProvider(graph), { getEdgeWeight, normalize: true, ...ITERATION });
      return exact(options.metric === 'HITS_HUB' ? hubs : authorities);
    }
  }
}

/** The relation graph directed from each consumer to its providers, for HITS. */
function consumerToProvider(graph: RelationGraph) {
  const directed = new DirectedGraph<NodeAttributes, EdgeAttributes>();
  graph.forEachNode((node, attributes) => directed.addNode(node, attributes));
  graph.forEachEdge((_edge, attributes, source, target) => {
    const consumerFirst = graph.getNodeAttribute(source, 'side') === 'consumer';
    directed.addEdge(consumerFirst ? source : target, consumerFirst ? target : source, attributes);
  });
  return directed;
}
