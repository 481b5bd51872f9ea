import type { Csr } from './csr';
import {
  type EaseOptions,
  type ItemKnnOptions,
  type ItemModel,
  type ScoredNode,
  type ScoringOptions,
  easeModel,
  itemKnnModel,
  recommendByItemModel,
  rp3betaModel,
} from './kernels/item-models';
import { DEFAULT_RECOMMENDATION_OPTIONS } from './recommendations';
import { type PersonalizedPagerankOptions, recommendByPersonalizedPagerank } from './kernels/personalized-pagerank';

/**
 * The recommendation methods and their hyperparameters (docs/recommendations.md), on a CSR with
 * sides through `csrRecommender`, which builds a method's model once per graph version. RP3β is
 * also served from the relation graph (recommendations.ts), which this ranks identically.
 */
export const RECOMMENDER_METHODS = ['EASE', 'ITEM_KNN', 'RP3BETA', 'PERSONALIZED_PAGERANK'] as const;
export type RecommenderMethod = (typeof RECOMMENDER_METHODS)[number];

export interface MethodOptions {
  rp3beta: { beta: number };
  itemKnn: ItemKnnOptions;
  ease: EaseOptions;
  personalizedPagerank: PersonalizedPagerankOptions;
}

/** Tuned on a validation split carved from the training part of each data set's 80/20 split. */
export const DEFAULT_METHOD_OPTIONS: MethodOptions = {
  rp3beta: { beta: DEFAULT_RECOMMENDATION_OPTIONS.beta },
  itemKnn: { shrinkage: 20, neighbours: 100 },
  ease: { lambda: 200 },
  personalizedPagerank: { alpha: 0.85, tolerance: 1e-9 },
};

/**
 * The best method in the offline evaluation (docs/recommendations.md). The API still serves
 * RP3β (`SERVED_METHOD`): serving EASE needs its model rebuilt off the request path per graph
 * version, which is not wired yet.
 */
export const CHOSEN_METHOD: RecommenderMethod = 'EASE';
export const SERVED_METHOD: RecommenderMethod = 'RP3BETA';

export type CsrRecommender = (consumer: number, options: ScoringOptions) => ScoredNode[];

export function csrRecommender(csr: Csr, sides: Uint8Array, method: RecommenderMethod, options: MethodOptions = DEFAULT_METHOD_OPTIONS): CsrRecommender {
  if (method === 'PERSONALIZED_PAGERANK') {
    return (consumer, scoring) => recommendByPersonalizedPagerank(csr, sides, consumer, { ...options.personalizedPagerank, ...scoring });
  }
  const model = itemModel(csr, sides, method, options);
  return (consumer, scoring) => recommendByItemModel(csr, model, consumer, scoring);
}

function itemModel(csr: Csr, sides: Uint8Array, method: Exclude<RecommenderMethod, 'PERSONALIZED_PAGERANK'>, options: MethodOptions): ItemModel {
  if (method === 'EASE') return easeModel(csr, sides, options.ease);
  if (method === 'ITEM_KNN') return itemKnnModel(csr, sides, options.itemKnn);
  return rp3betaModel(csr, sides, options.rp3beta.beta);
}
