import type { Csr } from './csr';
import {
  EASE_MAX_PROVIDERS,
  type EaseOptions,
  type ItemKnnOptions,
  type ItemModel,
  type PackedItemModel,
  type ScoredNode,
  type ScoringOptions,
  nodeModel,
  packedEase,
  packedItemKnn,
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
 * The best method in the offline evaluation (docs/recommendations.md), served when a question
 * names none, up to EASE_DEFAULT_MAX_PROVIDERS providers; past that, `defaultMethod` picks item-kNN.
 */
export const CHOSEN_METHOD: RecommenderMethod = 'EASE';

/**
 * EASE is the default up to this many providers (a build of about 2 s; ×8 per doubling), though
 * asked for by name it is served up to EASE_MAX_PROVIDERS: a default is paid for by every
 * consumer's question, on a machine that also answers rankings under a stream of writes.
 */
export const EASE_DEFAULT_MAX_PROVIDERS = 1000;

export function defaultMethod(providers: number, easeDefaultMaxProviders = EASE_DEFAULT_MAX_PROVIDERS): RecommenderMethod {
  return CHOSEN_METHOD === 'EASE' && providers > easeDefaultMaxProviders ? 'ITEM_KNN' : CHOSEN_METHOD;
}

/** The methods whose model is built once per graph version and scores any consumer from it. */
export type ItemModelMethod = Extract<RecommenderMethod, 'EASE' | 'ITEM_KNN'>;

export function isItemModelMethod(method: RecommenderMethod): method is ItemModelMethod {
  return method === 'EASE' || method === 'ITEM_KNN';
}

export function packedItemModel(csr: Csr, sides: Uint8Array, method: ItemModelMethod, options: MethodOptions = DEFAULT_METHOD_OPTIONS): PackedItemModel {
  return method === 'EASE' ? packedEase(csr, sides, options.ease) : packedItemKnn(csr, sides, options.itemKnn);
}

export type CsrRecommender = (consumer: number, options: ScoringOptions) => ScoredNode[];

export function csrRecommender(csr: Csr, sides: Uint8Array, method: RecommenderMethod, options: MethodOptions = DEFAULT_METHOD_OPTIONS): CsrRecommender {
  if (method === 'PERSONALIZED_PAGERANK') {
    return (consumer, scoring) => recommendByPersonalizedPagerank(csr, sides, consumer, { ...options.personalizedPagerank, ...scoring });
  }
  const model = itemModel(csr, sides, method, options);
  return (consumer, scoring) => recommendByItemModel(csr, model, consumer, scoring);
}

function itemModel(csr: Csr, sides: Uint8Array, method: Exclude<RecommenderMethod, 'PERSONALIZED_PAGERANK'>, options: MethodOptions): ItemModel {
  if (isItemModelMethod(method)) return nodeModel(packedItemModel(csr, sides, method, options), csr.nodeCount);
  return rp3betaModel(csr, sides, options.rp3beta.beta);
}
