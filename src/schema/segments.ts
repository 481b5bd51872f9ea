import { encodeGlobalID } from '@pothos/plugin-relay';
import { segmentMemberships } from '../analytics/serving';
import { type Caller, ForbiddenError } from '../auth/caller';
import type { MembershipEvent } from '../analytics/serving/segment-memberships';
import { onCommitted } from '../domain/changes';
import { publishSegmentMembership, segmentMembershipEvents } from '../live/events';
import { untilRevoked } from '../live/streams';
import { config } from '../config';
import { db } from '../db/client';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import { type ConditionInput, SEGMENT_LIMITS } from '../domain/segment-definition';
import { MAX_SEGMENTS_PER_OWNER, createSegment, deleteSegment, updateSegment } from '../domain/segments';
import type { Segment } from '../generated/prisma/client';
import { CentralityMetricEnum, WindowInputRef } from './analytics';
import { builder } from './builder';
import { mutationResult } from './errors';
import { parseId, parseOptionalId } from './ids';
import { ProviderNode } from './provider';
import { RelationKindEnum } from './relation';
import { SegmentEnum } from './relationships';

const wired = new WeakSet<object>();

/** The process's segment memberships, their entries and exits published to subscribers. */
export function memberships() {
  const service = segmentMemberships();
  if (!wired.has(service)) {
    wired.add(service);
    service.onChange(publishSegmentMembership);
  }
  return service;
}

// Every write may move consumers in or out: evaluate soon after, off the write's request.
onCommitted(() => memberships().writeCommitted());

const OWN_PROVIDER = 'Global ID of the provider; in a provider’s segment, that provider, which is also the default.';

const AmountConditionInput = builder.inputType('SegmentAmountCondition', {
  description: 'Bounds on the sum of the relations’ amounts in one currency, in minor units.',
  fields: (t) => ({
    currency: t.string({ required: true, description: 'ISO 4217 code, such as EUR.' }),
    min: t.int({ required: false, description: 'At least this much.' }),
    max: t.int({ required: false, description: 'At most this much.' }),
  }),
});

const RelationsConditionInput = builder.inputType('SegmentRelationsCondition', {
  description: 'Holds when the consumer’s relations (of the kinds, with the provider, in the window) number and amount within bounds.',
  fields: (t) => ({
    kinds: t.field({ type: [RelationKindEnum], required: false, description: 'Only relations of these kinds; all kinds when left out.' }),
    provider: t.id({ required: false, description: `Only relations with this provider. ${OWN_PROVIDER}` }),
    window: t.field({ type: WindowInputRef, required: false, description: 'Only relations in this time window; a rolling one (`last`) keeps rolling.' }),
    minCount: t.int({ required: false, description: 'At least this many relations.' }),
    maxCount: t.int({ required: false, description: 'At most this many relations (0: none).' }),
    amount: t.field({ type: AmountConditionInput, required: false, description: 'Bounds on their amounts.' }),
  }),
});

const StrengthConditionInput = builder.inputType('SegmentStrengthCondition', {
  description: 'Holds when the consumer’s relationship strength with the provider is within bounds (0 to 1); false without a relationship.',
  fields: (t) => ({
    provider: t.id({ required: false, description: OWN_PROVIDER }),
    min: t.float({ required: false, description: 'At least this strong.' }),
    max: t.float({ required: false, description: 'At most this strong.' }),
  }),
});

const RfmConditionInput = builder.inputType('SegmentRfmCondition', {
  description: 'Holds when the consumer’s relationship with the provider is in one of these RFM segments.',
  fields: (t) => ({
    provider: t.id({ required: false, description: OWN_PROVIDER }),
    in: t.field({ type: [SegmentEnum], required: true, description: 'The segments that qualify.' }),
  }),
});

const CommunityConditionInput = builder.inputType('SegmentCommunityCondition', {
  description: 'Holds when the consumer is in this community of the all-time graph (Louvain, as `communities` answers); platform segments only.',
  fields: (t) => ({ index: t.int({ required: true, description: '0 for the largest community, then by size.' }) }),
});

const CentralityConditionInput = builder.inputType('SegmentCentralityCondition', {
  description: 'Holds when the consumer ranks high among consumers by a centrality metric (all time, unweighted); platform segments only.',
  fields: (t) => ({
    metric: t.field({ type: CentralityMetricEnum, required: true, description: 'Which centrality ranks consumers.' }),
    maxRank: t.int({ required: false, description: 'Rank at most this (1 is the highest).' }),
    topPercent: t.float({ required: false, description: 'Rank within the top this-many percent of consumers (more than 0, at most 100).' }),
  }),
});

const DistanceConditionInput = builder.inputType('SegmentDistanceCondition', {
  description: 'Holds when the consumer is at most `maxHops` edges from the provider in the relation graph (1: a customer; 3: a customer of a provider that shares a customer); platform segments only.',
  fields: (t) => ({
    provider: t.id({ required: true, description: 'Global ID of the provider.' }),
    maxHops: t.int({ required: true, description: `From 1 to ${SEGMENT_LIMITS.maxHops}.` }),
  }),
});

/** The condition as the API takes it, provider IDs still global. */
interface ConditionArgument {
  and?: ConditionArgument[] | null;
  or?: ConditionArgument[] | null;
  not?: ConditionArgument | null;
  relations?: (Omit<NonNullable<ConditionInput['relations']>, 'providerId'> & { provider?: string | null }) | null;
  strength?: (Omit<NonNullable<ConditionInput['strength']>, 'providerId'> & { provider?: string | null }) | null;
  relationshipSegment?: (Omit<NonNullable<ConditionInput['relationshipSegment']>, 'providerId'> & { provider?: string | null }) | null;
  community?: ConditionInput['community'];
  centrality?: ConditionInput['centrality'];
  distance?: { provider: string; maxHops: number } | null;
  marketingConsent?: boolean | null;
}

const SegmentConditionInput = builder.inputRef<ConditionArgument>('SegmentCondition').implement({
  description: `One condition on a consumer: set exactly one field. and/or/not nest at most ${SEGMENT_LIMITS.depth} levels; a definition has at most ${SEGMENT_LIMITS.conditions} conditions.`,
  fields: (t) => ({
    and: t.field({ type: [SegmentConditionInput], required: false, description: `All of these (1 to ${SEGMENT_LIMITS.items}).` }),
    or: t.field({ type: [SegmentConditionInput], required: false, description: `Any of these (1 to ${SEGMENT_LIMITS.items}).` }),
    not: t.field({ type: SegmentConditionInput, required: false, description: 'Not this.' }),
    relations: t.field({ type: RelationsConditionInput, required: false, description: 'Relation counts and amounts.' }),
    strength: t.field({ type: StrengthConditionInput, required: false, description: 'Relationship strength with a provider.' }),
    relationshipSegment: t.field({ type: RfmConditionInput, required: false, description: 'RFM segment of the relationship with a provider.' }),
    community: t.field({ type: CommunityConditionInput, required: false, description: 'Community membership; platform segments only.' }),
    centrality: t.field({ type: CentralityConditionInput, required: false, description: 'Centrality rank; platform segments only.' }),
    distance: t.field({ type: DistanceConditionInput, required: false, description: 'Distance to a provider; platform segments only.' }),
    marketingConsent: t.boolean({ required: false, description: 'Whether the consumer gave marketing consent.' }),
  }),
});

/** The condition with provider IDs parsed; nesting past the limit is cut here and reported by parseDefinition. */
function parsedCondition(condition: ConditionArgument, path: string, depth = 0): ConditionInput {
  const providerId = (id: string | null | undefined, field: string) => parseOptionalId(id, 'Provider', `${path}.${field}.provider`);
  const nested = (items: ConditionArgument[], name: string) =>
    depth > SEGMENT_LIMITS.depth ? [] : items.slice(0, SEGMENT_LIMITS.items + 1).map((item, index) => parsedCondition(item, `${path}.${name}.${index}`, depth + 1));
  const { relations, strength, relationshipSegment, distance } = condition;
  return {
    ...condition,
    and: condition.and && nested(condition.and, 'and'),
    or: condition.or && nested(condition.or, 'or'),
    not: condition.not && (depth > SEGMENT_LIMITS.depth ? {} : parsedCondition(condition.not, `${path}.not`, depth + 1)),
    relations: relations && { ...relations, providerId: providerId(relations.provider, 'relations') },
    strength: strength && { ...strength, providerId: providerId(strength.provider, 'strength') },
    relationshipSegment: relationshipSegment && { ...relationshipSegment, providerId: providerId(relationshipSegment.provider, 'relationshipSegment') },
    distance: distance && { maxHops: distance.maxHops, providerId: parseId(distance.provider, 'Provider', `${path}.distance.provider`) },
  };
}

/** Who may read and change a segment: admins, and the provider whose segment it is. */
function mayUse(segment: Segment, caller: Caller): boolean {
  return caller.role === 'ADMIN' || (caller.role === 'PROVIDER' && segment.providerId === caller.providerId);
}

/** The segment an ID names, if the caller may use it; else as if it did not exist. */
export async function visibleSegment(id: string, caller: Caller, field = 'id'): Promise<Segment> {
  const segment = await db().segment.findUnique({ where: { id: parseId(id, 'Segment', field) } });
  if (!segment || !mayUse(segment, caller)) throw new NotFoundError('Segment', field);
  return segment;
}

export const SegmentRef = builder.objectRef<Segment>('Segment').implement({
  description: 'A saved segment: the consumers a definition holds for, kept current as writes arrive (docs/segments.md).',
  fields: (t) => ({
    id: t.id({ nullable: false, description: 'Global ID of the segment.', resolve: (segment) => encodeGlobalID('Segment', segment.id) }),
    name: t.exposeString('name', { description: 'What the segment is called.' }),
    provider: t.field({
      type: ProviderNode,
      nullable: true,
      description: 'The provider whose segment this is (over its own customers); null for a platform segment.',
      resolve: (segment) => (segment.providerId === null ? null : db().provider.findUnique({ where: { id: segment.providerId } })),
    }),
    definition: t.field({
      type: 'JSONObject',
      description: 'The definition as stored: the SegmentCondition given, normalised, with providers as database IDs (`providerId`).',
      resolve: (segment) => JSON.parse(segment.definition),
    }),
    evaluatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the members were last evaluated.',
      resolve: async (segment) => {
        await memberships().ensureCurrent(segment.id);
        return (await db().segment.findUnique({ where: { id: segment.id } }))?.evaluatedAt ?? null;
      },
    }),
    memberCount: t.int({
      nullable: true,
      description: 'How many consumers are members now. For non-admins, null below SMALL_COUNT_THRESHOLD (5): a small count points at individuals.',
      resolve: async (segment, _args, { caller }) => {
        await memberships().ensureCurrent(segment.id);
        const count = await db().segmentMember.count({ where: { segmentId: segment.id } });
        return caller.role === 'ADMIN' || count >= config().smallCountThreshold ? count : null;
      },
    }),
    members: t.prismaConnection({
      type: 'Consumer',
      cursor: 'id',
      description: 'The members now, by consumer ID.',
      resolve: async (query, segment) => {
        await memberships().ensureCurrent(segment.id);
        return db().consumer.findMany({ ...query, where: { segments: { some: { segmentId: segment.id } } }, orderBy: { id: 'asc' } });
      },
    }),
  }),
});

const SegmentInput = builder.inputType('SegmentInput', {
  description: 'A segment’s name and definition; on update, fields left out stay as they are.',
  fields: (t) => ({
    name: t.string({ required: false, description: 'What the segment is called (required on create).' }),
    definition: t.field({ type: SegmentConditionInput, required: false, description: 'The condition members meet (required on create).' }),
  }),
});

builder.queryFields((t) => ({
  segment: t.field({
    type: SegmentRef,
    nullable: true,
    description: 'A saved segment, for admins and the provider whose segment it is; null for any other ID.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the segment.' }) },
    resolve: (_root, { id }, { caller }) => visibleSegment(id, caller).catch((error) => (error instanceof NotFoundError ? null : Promise.reject(error))),
  }),
  segments: t.field({
    type: [SegmentRef],
    description: `Saved segments, oldest first (at most ${MAX_SEGMENTS_PER_OWNER} per owner): a provider’s own; for admins, the platform’s, or a provider’s when \`provider\` is given.`,
    authScopes: { authenticated: true },
    args: { provider: t.arg.id({ required: false, description: 'Admins: this provider’s segments instead of the platform’s.' }) },
    resolve: (_root, args, { caller }) => {
      if (caller.role === 'ADMIN') {
        return db().segment.findMany({ where: { providerId: parseOptionalId(args.provider, 'Provider', 'provider') ?? null }, orderBy: { id: 'asc' } });
      }
      if (caller.role !== 'PROVIDER') return [];
      return db().segment.findMany({ where: { providerId: caller.providerId }, orderBy: { id: 'asc' } });
    },
  }),
}));

builder.mutationFields((t) => ({
  createSegment: t.field({
    type: SegmentRef,
    description: 'Saves a segment: by an admin, for the platform (or for a provider, with `provider`); by a provider, over its own customers.',
    authScopes: { authenticated: true },
    args: {
      input: t.arg({ type: SegmentInput, required: true, description: 'The name and definition.' }),
      provider: t.arg.id({ required: false, description: 'Admins: make it this provider’s segment. Providers: their own, the default.' }),
    },
    errors: mutationResult('CreateSegment', 'segment', [InvalidInputError, NotFoundError]),
    resolve: (_root, { input, provider }, { caller }) => {
      const named = parseOptionalId(provider, 'Provider', 'provider') ?? null;
      const owner = caller.role === 'PROVIDER' ? caller.providerId : named;
      if (caller.role === 'PROVIDER' && named !== null && named !== caller.providerId) {
        throw InvalidInputError.of('provider', 'a provider may only save its own segments');
      }
      if (caller.role !== 'ADMIN' && caller.role !== 'PROVIDER') throw new ForbiddenError('Only admins and providers save segments.');
      return createSegment({ name: input.name, definition: input.definition && parsedCondition(input.definition, 'input.definition') }, { providerId: owner });
    },
  }),
  updateSegment: t.field({
    type: SegmentRef,
    description: 'Changes a segment’s name or definition; for admins and the provider whose segment it is.',
    authScopes: { authenticated: true },
    args: {
      id: t.arg.id({ required: true, description: 'Global ID of the segment.' }),
      input: t.arg({ type: SegmentInput, required: true, description: 'The fields to change.' }),
    },
    errors: mutationResult('UpdateSegment', 'segment', [InvalidInputError, NotFoundError]),
    resolve: async (_root, { id, input }, { caller }) => {
      const segment = await visibleSegment(id, caller);
      return updateSegment(segment.id, { name: input.name, definition: input.definition && parsedCondition(input.definition, 'input.definition') });
    },
  }),
  deleteSegment: t.field({
    type: 'ID',
    description: 'Deletes a segment and its membership; for admins and the provider whose segment it is. Returns its ID.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the segment.' }) },
    errors: mutationResult('DeleteSegment', 'deletedId', [InvalidInputError, NotFoundError]),
    resolve: async (_root, { id }, { caller }) => {
      const segment = await visibleSegment(id, caller);
      await deleteSegment(segment.id);
      return id;
    },
  }),
}));

const MembershipEventRef = builder.objectRef<MembershipEvent>('SegmentMembershipEvent').implement({
  description: 'A consumer entered or left a saved segment.',
  fields: (t) => ({
    segmentId: t.id({ description: 'Global ID of the segment.', resolve: (event) => encodeGlobalID('Segment', event.segmentId) }),
    consumerId: t.id({ description: 'Global ID of the consumer.', resolve: (event) => encodeGlobalID('Consumer', event.consumerId) }),
    entered: t.exposeBoolean('entered', { description: 'True when the consumer entered, false when it left.' }),
  }),
});

builder.subscriptionFields((t) => ({
  segmentMembershipChanged: t.field({
    type: MembershipEventRef,
    description: 'Each consumer entering or leaving a saved segment from now on; for admins and the provider whose segment it is.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the segment.' }) },
    subscribe: async (_root, { id }, { caller }) => untilRevoked(caller, segmentMembershipEvents((await visibleSegment(id, caller)).id)),
    resolve: (event) => event,
  }),
}));
