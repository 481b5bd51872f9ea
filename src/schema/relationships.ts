import { resolveArrayConnection } from '@pothos/plugin-relay';
import { analytics } from '../analytics/serving';
import type { Relationship } from '../analytics/serving/service';
import type { PartyRef } from '../db/party';
import { SEGMENTS, type Segment } from '../analytics/graph/strength';
import type { Caller } from '../auth/caller';
import { db } from '../db/client';
import { NotFoundError } from '../domain/errors';
import type { Consumer, Provider } from '../generated/prisma/client';
import { builder } from './builder';
import { ConsumerNode } from './consumer';
import { idForScope, parseId } from './ids';
import { entityName, loadParties } from './parties';
import { ProviderNode } from './provider';
import { AnswerWindowRef, windowArgs } from './analytics';
import { type TimeWindow, resolveWindow } from '../analytics/serving/window';

export const SegmentEnum = builder.enumType('RelationshipSegment', {
  description: 'RFM-style segment of a relationship; docs/recommendations.md gives the thresholds.',
  values: SEGMENTS,
});

const StrengthComponentsRef = builder.objectRef<Relationship['components']>('StrengthComponents').implement({
  description: 'The parts of a relationship strength, each from 0 to 1.',
  fields: (t) => ({
    recency: t.exposeFloat('recency', { description: 'Halves with every half-life (90 days) since the last interaction.' }),
    frequency: t.exposeFloat('frequency', { description: 'count / (count + 3): 0.5 at 3 relations.' }),
    monetary: t.exposeFloat('monetary', {
      nullable: true,
      description: "Spend as a percentile among the provider's consumers, per currency; null without amounts.",
    }),
    sentiment: t.exposeFloat('sentiment', { nullable: true, description: '(mean rating − 1) / 4; null without reviews.' }),
  }),
});

interface RelationshipShape extends Relationship {
  consumerRow: Consumer;
  providerRow: Provider;
}

const RelationshipRef = builder.objectRef<RelationshipShape>('Relationship').implement({
  description: 'How strong the relationship between one consumer and one provider is, and why.',
  fields: (t) => ({
    consumer: t.field({ type: ConsumerNode, description: 'The consumer side.', resolve: (relationship) => relationship.consumerRow }),
    provider: t.field({ type: ProviderNode, description: 'The provider side.', resolve: (relationship) => relationship.providerRow }),
    strength: t.float({ description: 'From 0 to 1: the weighted mean of the components.', resolve: (relationship) => relationship.score }),
    components: t.field({ type: StrengthComponentsRef, description: 'The parts strength is computed from.', resolve: (relationship) => relationship.components }),
    segment: t.field({ type: SegmentEnum, description: 'RFM-style segment of this relationship.', resolve: (relationship) => relationship.segment }),
    relationCount: t.int({ description: 'Relations between the two, of every kind.', resolve: (relationship) => relationship.summary.count }),
    firstInteraction: t.field({ type: 'DateTime', description: 'When their first relation occurred.', resolve: (relationship) => new Date(relationship.summary.firstAt) }),
    lastInteraction: t.field({ type: 'DateTime', description: 'When their latest relation occurred.', resolve: (relationship) => new Date(relationship.summary.lastAt) }),
    asOf: t.expose('asOf', {
      type: 'DateTime',
      description: 'The moment strength was computed for: the start of the hour, or the end of the window when that is earlier.',
    }),
    window: t.field({
      type: AnswerWindowRef,
      nullable: true,
      description: 'The time window of relations the strength covers; null for all time.',
      resolve: (relationship) => relationship.window,
    }),
  }),
});

/**
 * A pair's relationship, or null when the two have no relations; `other` is the side named by an
 * argument. Only admins are told that it names nobody: to anyone else a missing ID and one they may
 * not see both answer null.
 */
async function findRelationship(
  consumerId: number,
  providerId: number,
  other: { party: PartyRef; field: string },
  window: TimeWindow | null,
  caller: Caller,
) {
  if (caller.role === 'ADMIN' && !(await analytics().has(other.party))) throw new NotFoundError(entityName(other.party), other.field);
  return (await analytics().providerRelationships(providerId, window)).byConsumer.get(consumerId) ?? null;
}

builder.objectField(ConsumerNode, 'relationshipWith', (t) =>
  t.field({
    type: RelationshipRef,
    nullable: true,
    description: 'The strength of this consumer’s relationship with a provider; null when they have no relations.',
    args: { providerId: t.arg.id({ required: true, description: 'Global ID of the provider.' }), ...windowArgs },
    authScopes: (consumer, { providerId }) => ({
      admin: true,
      consumer: consumer.id,
      provider: idForScope(providerId, 'Provider'),
    }),
    resolve: async (consumer, { providerId, window }, { caller }) => {
      const id = parseId(providerId, 'Provider', 'providerId');
      const other = { party: { party: 'provider', id } as const, field: 'providerId' };
      const relationship = await findRelationship(consumer.id, id, other, resolveWindow(window), caller);
      const providerRow = relationship && (await db().provider.findUnique({ where: { id } }));
      return providerRow ? { ...relationship!, consumerRow: consumer, providerRow } : null;
    },
  }),
);

builder.objectFields(ProviderNode, (t) => ({
  relationshipWith: t.field({
    type: RelationshipRef,
    nullable: true,
    description: 'The strength of this provider’s relationship with a consumer; null when they have no relations.',
    args: { consumerId: t.arg.id({ required: true, description: 'Global ID of the consumer.' }), ...windowArgs },
    authScopes: (provider, { consumerId }) => ({
      admin: true,
      provider: provider.id,
      consumer: idForScope(consumerId, 'Consumer'),
    }),
    resolve: async (provider, { consumerId, window }, { caller }) => {
      const id = parseId(consumerId, 'Consumer', 'consumerId');
      const other = { party: { party: 'consumer', id } as const, field: 'consumerId' };
      const relationship = await findRelationship(id, provider.id, other, resolveWindow(window), caller);
      const consumerRow = relationship && (await db().consumer.findUnique({ where: { id } }));
      return consumerRow ? { ...relationship!, consumerRow, providerRow: provider } : null;
    },
  }),
  relationships: t.connection({
    type: RelationshipRef,
    description:
      'This provider’s relationships with its consumers, strongest first, optionally of one segment; for the provider and admins.',
    authScopes: (provider) => ({ admin: true, provider: provider.id }),
    args: {
      segment: t.arg({ type: SegmentEnum, required: false, description: 'Only relationships of this segment.' }),
      ...windowArgs,
    },
    resolve: async (provider, args) => {
      const { ranked } = await analytics().providerRelationships(provider.id, resolveWindow(args.window));
      const chosen: Relationship[] = args.segment ? ranked.filter((entry) => entry.segment === (args.segment as Segment)) : ranked;
      const page = resolveArrayConnection({ args }, chosen);
      const loaded = await loadParties(page.edges.map((edge) => edge.node.consumer));
      const rowOf = new Map(loaded.map(({ party, entity }) => [party, entity as Consumer]));
      return {
        ...page,
        edges: page.edges.flatMap((edge) => {
          const consumerRow = rowOf.get(edge.node.consumer);
          return consumerRow ? [{ ...edge, node: { ...edge.node, consumerRow, providerRow: provider } }] : [];
        }),
      };
    },
  }),
}));
