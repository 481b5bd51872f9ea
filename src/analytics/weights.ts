import type { EdgeAttributes } from './graph';

export const EDGE_WEIGHTS = ['NONE', 'COUNT'] as const;
export type EdgeWeight = (typeof EDGE_WEIGHTS)[number];

type NumericEdgeAttribute = { [Key in keyof EdgeAttributes]: EdgeAttributes[Key] extends number ? Key : never }[keyof EdgeAttributes];
type Getter = (edge: string, attributes: EdgeAttributes) => number;

/** The edge attribute that says how strongly an edge ties its ends; null means every edge weighs 1. */
export function edgeWeightAttribute(weight: EdgeWeight): NumericEdgeAttribute | null {
  return weight === 'COUNT' ? 'count' : null;
}

export function edgeWeightGetter(weight: EdgeWeight): Getter | null {
  const attribute = edgeWeightAttribute(weight);
  return attribute && ((_edge, attributes) => attributes[attribute]);
}

/** Path-based metrics read weights as lengths, so a stronger tie must be a shorter edge. */
export function edgeLengthGetter(weight: EdgeWeight): Getter | null {
  const attribute = edgeWeightAttribute(weight);
  return attribute && ((_edge, attributes) => 1 / attributes[attribute]);
}
