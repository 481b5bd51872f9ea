import type { EdgeWeight } from './weights';

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
  /** Past these many nodes, betweenness and closeness are estimated from `samples` sources. */
  betweennessExactMaxNodes: number;
  closenessExactMaxNodes: number;
  samples: number;
  seed: string;
}

/** A centrality metric's scores, and how they were computed: exactly, or estimated from a sample of sources. */
export interface CentralityScores {
  /** One score per node, in the graph's (the CSR's) node order. */
  scores: Float64Array;
  approximate: boolean;
  /** Sources the estimate used; null when exact. */
  sampleSize: number | null;
}
