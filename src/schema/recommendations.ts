import { analytics } from '../analytics/serving';
import type { ProviderRecommendation, SimilarParty } from '../analytics/serving/service';
import type { PartyRef } from '../db/party';
import { InvalidInputError } from '../domain/errors';
import type { Consumer, Provider, RelationKind } from '../generated/prisma/client';
import type { Caller } from '../auth/caller';
import { config } from '../config';
import { builder } from './builder';
import { ConsumerNode } from './consumer';
import { consistencyArgs, graphArgs, windowArgs } from './analytics';
import type { Consistency } from '../analytics/serving/service';
import { type TimeWindow, resolveWindow } from '../analytics/serving/window';
import { type Entity, loadParties } from './parties';
import { ProviderNode } from './provider';
import { CHOSEN_METHOD, DEFAULT_METHOD_OPTIONS, EASE_DEFAULT_MAX_PROVIDERS, RECOMMENDER_METHODS, type RecommenderMethod } from '../analytics/graph/recommender-methods';
import { EASE_MAX_PROVIDERS } from '../analytics/graph/kernels/item-models';

const MAX_RESULTS = 100;

/**
 * Below this many (SMALL_COUNT_THRESHOLD), a count of consumers shown to anyone but an admin would
 * point at individuals: "1 shared consumer" tells a provider which other providers its one
 * customer uses. Such entries are left out for non-admins.
 */
function showsCount(count: number, caller: Caller): boolean {
  return caller.role === 'ADMIN' || count >= config().smallCountThreshold;
}

const firstArg = builder.args((t) => ({
  first: t.int({ required: false, defaultValue: 10, description: `How many, from 1 to ${MAX_RESULTS}.` }),
}));

function checkedFirst(first: number | null | undefined): number {
  const chosen = first ?? 10;
  if (!(chosen >= 1 && chosen <= MAX_RESULTS)) throw InvalidInputError.of('first', `must be from 1 to ${MAX_RESULTS}`);
  return chosen;
}

/** Rows for the parties, in order; a party deleted since the graph version was read is left out. */
async function withEntities<Item>(items: Item[], partiesOf: (item: Item) => PartyRef[]) {
  const loaded = await loadParties(items.flatMap(partiesOf));
  const entityOf = new Map<PartyRef, Entity>(loaded.map(({ party, entity }) => [party, entity]));
  return { entityOf, complete: (item: Item) => partiesOf(item).every((party) => entityOf.has(party)) };
}

interface ReasonShape {
  provider: Provider;
  sharedConsumers: number;
  contribution: number;
}

const RecommendationReason = builder.objectRef<ReasonShape>('RecommendationReason').implement({
  description: "One of the consumer's own providers whose consumers also use the recommended provider.",
  fields: (t) => ({
    provider: t.field({ type: ProviderNode, description: 'One of the consumer’s own providers.', resolve: (reason) => reason.provider }),
    sharedConsumers: t.exposeInt('sharedConsumers', { description: 'Consumers of both providers.' }),
    contribution: t.exposeFloat('contribution', { description: "This provider's part of the score." }),
  }),
});

const RecommendationBasis = builder.enumType('RecommendationBasis', {
  description: 'Why a provider is recommended.',
  values: {
    COLLABORATIVE: { description: "Reached through the consumer's own providers; `reasons` says which." },
    POPULAR: { description: 'A popular provider: the consumer has no relations, or too few to reach enough others.' },
  } as const,
});

const METHOD_DESCRIPTIONS: Record<RecommenderMethod, string> = {
  EASE: `A linear item model (ridge regression of each provider on the others), the best in the offline evaluation; up to ${EASE_MAX_PROVIDERS} providers.`,
  ITEM_KNN: `Item-to-item cosine similarity with shrinkage, each provider keeping its ${DEFAULT_METHOD_OPTIONS.itemKnn.neighbours} most similar.`,
  RP3BETA: 'A three-step random walk consumer → provider → consumer → provider, popularity-penalized.',
  PERSONALIZED_PAGERANK: 'PageRank personalized to the consumer, over the whole graph.',
};

const RecommenderMethodEnum = builder.enumType('RecommenderMethod', {
  description: 'How providers are recommended (docs/recommendations.md).',
  values: Object.fromEntries(RECOMMENDER_METHODS.map((method) => [method, { description: METHOD_DESCRIPTIONS[method] }])) as Record<
    RecommenderMethod,
    { description: string }
  >,
});

interface RecommendationShape {
  provider: Provider;
  score: number;
  basis: ProviderRecommendation['basis'];
  consumers: number;
  reasons: ReasonShape[];
}

const ProviderRecommendationRef = builder.objectRef<RecommendationShape>('ProviderRecommendation').implement({
  description: 'A provider recommended to a consumer, with its score and the reasons.',
  fields: (t) => ({
    provider: t.field({ type: ProviderNode, description: 'The recommended provider.', resolve: (recommendation) => recommendation.provider }),
    score: t.exposeFloat('score', { description: 'Higher is better; comparable within one list only.' }),
    basis: t.field({ type: RecommendationBasis, description: 'Why it is recommended.', resolve: (recommendation) => recommendation.basis }),
    reasons: t.field({
      type: [RecommendationReason],
      description: 'The contributing providers, strongest first (at most 3); empty for POPULAR.',
      resolve: (recommendation) => recommendation.reasons,
    }),
    explanation: t.string({
      description: 'The reason in words, for showing to a person.',
      resolve: (recommendation, _args, { caller }) => explain(recommendation, caller),
    }),
  }),
});

function explain({ provider, basis, consumers, reasons }: RecommendationShape, caller: Caller): string {
  if (basis === 'POPULAR') {
    const users = showsCount(consumers, caller) ? `${consumers}` : `fewer than ${config().smallCountThreshold}`;
    return `${provider.name} is popular: ${users} consumer(s) use it.`;
  }
  if (reasons.length === 0) return `Consumers of your providers also use ${provider.name}.`;
  const sources = reasons.map((reason) => `${reason.provider.name} (${reason.sharedConsumers} shared)`);
  const list = sources.length > 1 ? `${sources.slice(0, -1).join(', ')} and ${sources.at(-1)}` : sources[0];
  return `Consumers of ${list} also use ${provider.name}.`;
}

interface RecommendationQuestion {
  first: number;
  kinds: RelationKind[] | null | undefined;
  window: TimeWindow | null;
  method: RecommenderMethod | null | undefined;
  consistency: Consistency | null | undefined;
}

async function recommendationsFor(consumer: Consumer, { first, kinds, window, method, consistency }: RecommendationQuestion, caller: Caller) {
  const recommendations = await analytics().recommendedProviders(consumer.id, first, kinds, window, method, consistency ?? 'EVENTUAL');
  const { entityOf, complete } = await withEntities(recommendations, (recommendation) => [
    recommendation.provider,
    ...recommendation.reasons.map((reason) => reason.provider),
  ]);
  return recommendations.filter(complete).map(
    (recommendation): RecommendationShape => ({
      ...recommendation,
      provider: entityOf.get(recommendation.provider) as Provider,
      reasons: recommendation.reasons
        .filter((reason) => showsCount(reason.sharedConsumers, caller))
        .map((reason) => ({ ...reason, provider: entityOf.get(reason.provider) as Provider })),
    }),
  );
}

interface SimilarShape<Row extends Entity> {
  similarity: number;
  shared: number;
  entity: Row;
}

function similarType<Row extends Entity>(name: string, sharedName: string, sharedWhat: string) {
  return builder.objectRef<SimilarShape<Row>>(name).implement({
    description: `A ${name.replace('Similar', '').toLowerCase()} similar to another one, and how similar.`,
    fields: (t) => ({
      similarity: t.float({
        description: 'Cosine similarity of the two neighbour sets: shared / √(deg(a)·deg(b)), from 0 to 1.',
        resolve: (similar) => similar.similarity,
      }),
      [sharedName]: t.int({ description: `${sharedWhat} the two have in common.`, resolve: (similar) => similar.shared }),
    }),
  });
}

const SimilarProvider = similarType<Provider>('SimilarProvider', 'sharedConsumers', 'Consumers');
builder.objectField(SimilarProvider, 'provider', (t) => t.field({ type: ProviderNode, description: 'The similar provider.', resolve: (similar) => similar.entity }));

const SimilarConsumer = similarType<Consumer>('SimilarConsumer', 'sharedProviders', 'Providers');
builder.objectField(SimilarConsumer, 'consumer', (t) => t.field({ type: ConsumerNode, description: 'The similar consumer.', resolve: (similar) => similar.entity }));

async function similarWith<Row extends Entity>(similar: SimilarParty[]): Promise<SimilarShape<Row>[]> {
  const { entityOf, complete } = await withEntities(similar, (item) => [item.party]);
  return similar.filter(complete).map((item) => ({ ...item, entity: entityOf.get(item.party) as Row }));
}

builder.objectFields(ConsumerNode, (t) => ({
  recommendedProviders: t.field({
    type: [ProviderRecommendationRef],
    description:
      'Providers this consumer has no relation with yet (of the given kinds), best first, each with its reasons. ' +
      'A consumer without relations gets popular providers (basis POPULAR).',
    authScopes: (consumer) => ({ admin: true, consumer: consumer.id }),
    args: {
      ...firstArg,
      ...graphArgs,
      ...windowArgs,
      ...consistencyArgs,
      method: t.arg({
        type: RecommenderMethodEnum,
        required: false,
        description:
          `How to recommend. Absent: ${CHOSEN_METHOD}, chosen by the offline evaluation, or ITEM_KNN past ${EASE_DEFAULT_MAX_PROVIDERS} providers ` +
          `(asking for EASE past ${EASE_MAX_PROVIDERS} is an error). ` +
          'EASE and ITEM_KNN answer from a model built per graph version in the background: ' +
          'the consumer’s own relations are always current; with consistency EVENTUAL (the default) the weights between providers ' +
          'may be a few writes behind, with LATEST the answer waits for a model that includes every write so far.',
      }),
    },
    resolve: (consumer, { first, kinds, window, method, consistency }, { caller }) =>
      recommendationsFor(consumer, { first: checkedFirst(first), kinds, window: resolveWindow(window), method, consistency }, caller),
  }),
  similarConsumers: t.field({
    type: [SimilarConsumer],
    description: 'Consumers who use the most of the same providers, by cosine similarity, most similar first; admins only.',
    authScopes: { admin: true },
    args: { ...firstArg, ...windowArgs },
    resolve: async (consumer, { first, window }) =>
      similarWith<Consumer>(await analytics().similarConsumers(consumer.id, checkedFirst(first), resolveWindow(window))),
  }),
}));

builder.objectFields(ProviderNode, (t) => ({
  similarProviders: t.field({
    type: [SimilarProvider],
    description:
      'Providers whose consumers overlap most with this one’s, by cosine similarity, most similar first. ' +
      'For non-admins, providers sharing fewer than SMALL_COUNT_THRESHOLD (5) consumers are left out.',
    authScopes: { authenticated: true },
    args: { ...firstArg, ...windowArgs },
    resolve: async (provider, { first, window }, { caller }) => {
      const similar = await analytics().similarProviders(provider.id, checkedFirst(first), resolveWindow(window));
      return similarWith<Provider>(similar.filter((item) => showsCount(item.shared, caller)));
    },
  }),
}));
