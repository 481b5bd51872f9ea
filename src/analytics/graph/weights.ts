import type { EdgeAttributes } from './relation-graph';

export const EDGE_WEIGHTS = ['NONE', 'COUNT', 'STRENGTH'] as const;
export type EdgeWeight = (typeof EDGE_WEIGHTS)[number];

type NumericEdgeAttribute = 'count' | 'strength';
type Getter = (edge: string, attributes: EdgeAttributes) => number;

/** The edge attribute that says how strongly an edge ties its ends; null means every edge weighs 1. */
export function edgeWeightAttribute(weight: EdgeWeight): NumericEdgeAttribute | null {
  return weight === 'NONE' ? null : weight === 'COUNT' ? 'count' : 'strength';
}

export function edgeWeightGetter(weight: EdgeWeight): Getter | null {
  const attribute = edgeWeightAttribute(weight);
  return attribute && ((_edge, attributes) => attributes[attribute] ?? 1);
}

/** Path-based metrics read weights as lengths, so a stronger tie must be a shorter edge. */
export function edgeLengthGetter(weight: EdgeWeight): Getter | null {
  const attribute = edgeWeightAttribute(weight);
  return attribute && ((_edge, attributes) => 1 / (attributes[attribute] ?? 1));
}
