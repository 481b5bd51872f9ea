import { encodeGlobalID } from '@pothos/plugin-relay';

import { CENTRALITY_METRICS } from '../analytics/graph/centrality';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import {
  MAX_ENDPOINTS_PER_OWNER,
  MAX_REPLAYED_EVENTS,
  MAX_ROTATION_OVERLAP_HOURS,
  type EndpointWithSecret,
  pingWebhookEndpoint,
  registerWebhookEndpoint,
  replayWebhookEvents,
  rotateWebhookSecret,
  deleteWebhookEndpoint,
  disableWebhookEndpoint,
  enableWebhookEndpoint,
  updateWebhookEndpoint,
  webhookEndpointOf,
  webhookEndpointsOf,
} from '../domain/webhooks';
import { EVENT_TYPES, type EventType } from '../live/catalogue';
import { AUDIT_CREATES } from './audit';
import { builder } from './builder';
import { cursorScope } from './cursors';
import { mutationResult } from './errors';
import { parseId } from './ids';
import { Deletion } from './relation';

const EVENT_SCOPES: Partial<Record<EventType, string>> = {
  'consumer.created': ' (admin endpoints only)',
  'consumer.updated': ' (admin endpoints only)',
  'consumer.erased': ' (admin endpoints only)',
  'consumer.merged': ' (admin endpoints only)',
  'segment.entered': ': a consumer entered a saved segment (a platform segment’s go to admin endpoints only, a provider’s to its endpoints and admin ones)',
  'segment.exited': ': a consumer left a saved segment (a platform segment’s go to admin endpoints only, a provider’s to its endpoints and admin ones)',
};

/** GraphQL enum values cannot hold dots: RELATION_RECORDED stands for relation.recorded. */
const enumValueOf = (type: EventType) => type.replace('.', '_').toUpperCase();
const typeOfEnumValue = new Map(EVENT_TYPES.map((type) => [enumValueOf(type), type]));

const WebhookEventTypeEnum = builder.enumType('WebhookEventType', {
  description: 'An event webhooks announce; docs/webhooks.md describes each payload.',
  values: Object.fromEntries(
    EVENT_TYPES.map((type) => [enumValueOf(type), { value: type, description: `\`${type}\`${EVENT_SCOPES[type] ?? ''}.` }]),
  ) as Record<string, { value: EventType; description: string }>,
});

const DeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a delivery stands.',
  values: {
    PENDING: { description: 'Not delivered yet: waiting for its turn or for its next attempt.' },
    DELIVERED: { description: 'The receiver answered with a 2xx status.' },
    FAILED: { description: 'Given up after the retry window (the endpoint was disabled), or a failed ping.' },
  } as const,
});

const MetricEnum = builder.enumType('WebhookRankingMetric', {
  description: 'The centrality metric whose provider ranking `ranking.changed` follows.',
  values: CENTRALITY_METRICS,
});

const WebhookDelivery = builder.prismaObject('WebhookDelivery', {
  description: 'One event owed to one endpoint, and how its attempts went; response bodies are kept only as a short excerpt.',
  fields: (t) => ({
    id: t.id({ nullable: false, description: 'Global ID of the delivery.', resolve: (delivery) => encodeGlobalID('WebhookDelivery', delivery.id) }),
    webhookId: t.string({
      description: 'The event’s `webhook-id` header: the same on every attempt and replay, for de-duplication.',
      select: { event: { select: { messageId: true } } },
      resolve: (delivery) => delivery.event.messageId,
    }),
    eventType: t.string({
      description: 'The event’s type, such as relation.recorded (webhook.ping for pings).',
      select: { event: { select: { type: true } } },
      resolve: (delivery) => delivery.event.type,
    }),
    data: t.field({
      type: 'JSONObject',
      description: 'The event’s `data` as sent: global IDs and facts, never personal data.',
      select: { event: { select: { payload: true } } },
      resolve: (delivery) => JSON.parse(delivery.event.payload),
    }),
    eventAt: t.field({
      type: 'DateTime',
      description: 'When the event happened.',
      select: { event: { select: { createdAt: true } } },
      resolve: (delivery) => delivery.event.createdAt,
    }),
    status: t.field({ type: DeliveryStatusEnum, description: 'Where the delivery stands.', resolve: (delivery) => delivery.status as 'PENDING' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true, description: 'When the last attempt was made.' }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due, for a pending delivery (it also waits for the endpoint’s earlier deliveries).',
      select: { status: true, nextAttemptAt: true },
      resolve: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null),
    }),
    lastResponseCode: t.exposeInt('lastResponseCode', { nullable: true, description: 'The HTTP status of the last response; null when none came.' }),
    lastResponseExcerpt: t.exposeString('lastResponseExcerpt', {
      nullable: true,
      description: 'The first 200 characters of the last response body.',
    }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed, when it did.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the delivery was queued.' }),
  }),
});

const WebhookEndpoint = builder.prismaObject('WebhookEndpoint', {
  description: 'Where events are sent. Owned by a provider, or by the platform when registered by an admin.',
  fields: (t) => ({
    id: t.id({ nullable: false, description: 'Global ID of the endpoint.', resolve: (endpoint) => encodeGlobalID('WebhookEndpoint', endpoint.id) }),
    url: t.exposeString('url', { description: 'Where events are POSTed.' }),
    description: t.exposeString('description', { nullable: true, description: 'The owner’s note about the endpoint.' }),
    eventTypes: t.field({
      type: [WebhookEventTypeEnum],
      description: 'The events sent to it.',
      resolve: (endpoint) => endpoint.eventTypes.split(',') as EventType[],
    }),
    rankingMetric: t.field({
      type: MetricEnum,
      nullable: true,
      description: 'The metric whose ranking `ranking.changed` follows, when subscribed to it.',
      resolve: (endpoint) => endpoint.rankingMetric as (typeof CENTRALITY_METRICS)[number] | null,
    }),
    provider: t.relation('provider', { nullable: true, description: 'The provider owning it; null for the platform’s endpoints.' }),
    enabled: t.boolean({ description: 'Whether events are being delivered to it.', resolve: (endpoint) => endpoint.disabledAt === null }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true, description: 'When it was disabled.' }),
    disabledReason: t.exposeString('disabledReason', { nullable: true, description: 'Why it was disabled: by its owner, or after failing for the retry window.' }),
    missedEvents: t.exposeInt('missedEvents', {
      description: 'While disabled: events not held, past WEBHOOK_MAX_HELD_EVENTS; enabling it sends a `webhook.missed` event with the range to replay.',
    }),
    missedFrom: t.expose('missedFrom', { type: 'DateTime', nullable: true, description: 'While disabled: when the first event not held happened.' }),
    previousSecretValidUntil: t.expose('previousSecretUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'After a rotation: until when requests also carry a signature with the previous secret.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered.' }),
    deliveries: t.relatedConnection('deliveries', {
      cursor: 'id',
      description: 'Its delivery log, newest first.',
      ...cursorScope((endpoint) => ({ model: 'webhookDelivery', where: { endpointId: endpoint.id } })),
      query: () => ({ orderBy: { id: 'desc' as const } }),
    }),
  }),
});

const EndpointWithSecretRef = builder.objectRef<EndpointWithSecret>('WebhookEndpointWithSecret').implement({
  description: 'An endpoint and its new signing secret.',
  fields: (t) => ({
    endpoint: t.field({ type: WebhookEndpoint, description: 'The endpoint.', resolve: (result) => result.endpoint }),
    secret: t.exposeString('secret', {
      description: 'The signing secret (`whsec_…`), shown only now: keep it with the receiver, which verifies signatures with it.',
    }),
  }),
});

const URL_DESCRIPTION = 'Where events are POSTed: an https URL (http outside production) reaching a public address.';
const DESCRIPTION_DESCRIPTION = 'A note about the endpoint, up to 200 characters.';
const METRIC_DESCRIPTION = 'Needed with RANKING_CHANGED: the metric whose ranking to follow.';

const RegisterInput = builder.inputType('RegisterWebhookEndpointInput', {
  description: 'A new webhook endpoint.',
  fields: (t) => ({
    url: t.string({ required: true, description: URL_DESCRIPTION }),
    description: t.string({ required: false, description: DESCRIPTION_DESCRIPTION }),
    eventTypes: t.field({ type: [WebhookEventTypeEnum], required: true, description: 'The events to send to it.' }),
    rankingMetric: t.field({ type: MetricEnum, required: false, description: METRIC_DESCRIPTION }),
  }),
});

const UpdateInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'What to change on an endpoint; fields left out stay as they are.',
  fields: (t) => ({
    url: t.string({ required: false, description: URL_DESCRIPTION }),
    description: t.string({ required: false, description: DESCRIPTION_DESCRIPTION }),
    eventTypes: t.field({ type: [WebhookEventTypeEnum], required: false, description: 'The events to send to it.' }),
    rankingMetric: t.field({ type: MetricEnum, required: false, description: METRIC_DESCRIPTION }),
  }),
});

const ReplayInput = builder.inputType('ReplayWebhookEventsInput', {
  description: `Which events to send again: one by its webhookId, or those between from and to (at most ${MAX_REPLAYED_EVENTS}).`,
  fields: (t) => ({
    webhookId: t.string({ required: false, description: 'The `webhook-id` of one event.' }),
    from: t.field({ type: 'DateTime', required: false, description: 'The start of a time range, inclusive.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'The end of a time range, inclusive.' }),
  }),
});

const Replay = builder.objectRef<{ queued: number }>('WebhookReplay').implement({
  description: 'What a replay queued.',
  fields: (t) => ({ queued: t.exposeInt('queued', { description: 'Events queued again, after the endpoint’s pending ones.' }) }),
});


builder.queryFields((t) => ({
  webhookEndpoints: t.prismaField({
    type: ['WebhookEndpoint'],
    description: `The caller’s webhook endpoints (at most ${MAX_ENDPOINTS_PER_OWNER}): a provider’s own, or the platform’s for admins.`,
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, { caller }) => webhookEndpointsOf(caller, query),
  }),
  webhookEndpoint: t.prismaField({
    type: 'WebhookEndpoint',
    description: 'One endpoint the caller manages, with its delivery log.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the endpoint.' }) },
    resolve: (query, _root, { id }, { caller }) => webhookEndpointOf(caller, parseId(id, 'WebhookEndpoint', 'id'), query),
  }),
}));

builder.mutationFields((t) => ({
  registerWebhookEndpoint: t.field({
    type: EndpointWithSecretRef,
    description: 'Registers an endpoint for the caller (a provider, or the platform for admins); the answer holds its secret, shown only once.',
    extensions: { [AUDIT_CREATES]: 'WebhookEndpoint' },
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RegisterInput, required: true, description: 'The endpoint.' }) },
    errors: mutationResult('RegisterWebhookEndpoint', 'registration', [InvalidInputError]),
    resolve: (_root, { input }, { caller }) => registerWebhookEndpoint(caller, input),
  }),
  updateWebhookEndpoint: t.field({
    type: WebhookEndpoint,
    description: 'Changes an endpoint’s URL, description or events.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the endpoint.' }), input: t.arg({ type: UpdateInput, required: true, description: 'What to change.' }) },
    errors: mutationResult('UpdateWebhookEndpoint', 'endpoint', [InvalidInputError, NotFoundError]),
    resolve: (_root, { id, input }, { caller }) => updateWebhookEndpoint(caller, parseId(id, 'WebhookEndpoint', 'id'), input),
  }),
  disableWebhookEndpoint: t.field({
    type: WebhookEndpoint,
    description: 'Stops deliveries to an endpoint; its events are held meanwhile (up to WEBHOOK_MAX_HELD_EVENTS, then counted in missedEvents).',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the endpoint.' }) },
    errors: mutationResult('DisableWebhookEndpoint', 'endpoint', [InvalidInputError, NotFoundError]),
    resolve: (_root, { id }, { caller }) => disableWebhookEndpoint(caller, parseId(id, 'WebhookEndpoint', 'id')),
  }),
  enableWebhookEndpoint: t.field({
    type: WebhookEndpoint,
    description:
      'Resumes deliveries where they stopped: the delivery that failed for the retry window first, then the events held while disabled, in order; a `webhook.missed` event follows them when more happened than could be held.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the endpoint.' }) },
    errors: mutationResult('EnableWebhookEndpoint', 'endpoint', [InvalidInputError, NotFoundError]),
    resolve: (_root, { id }, { caller }) => enableWebhookEndpoint(caller, parseId(id, 'WebhookEndpoint', 'id')),
  }),
  deleteWebhookEndpoint: t.field({
    type: Deletion,
    description: 'Deletes an endpoint and its delivery log; nothing more is sent to it. Its secret is gone with it.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the endpoint.' }) },
    errors: mutationResult('DeleteWebhookEndpoint', 'deletion', [InvalidInputError, NotFoundError]),
    resolve: async (_root, { id }, { caller }) => {
      const endpoint = await deleteWebhookEndpoint(caller, parseId(id, 'WebhookEndpoint', 'id'));
      return { deletedId: encodeGlobalID('WebhookEndpoint', endpoint.id), deletedRelationCount: 0 };
    },
  }),
  rotateWebhookSecret: t.field({
    type: EndpointWithSecretRef,
    description: 'Gives an endpoint a new secret, shown only once; requests carry a second signature with the old one during the overlap.',
    authScopes: { authenticated: true },
    args: {
      id: t.arg.id({ required: true, description: 'Global ID of the endpoint.' }),
      overlapHours: t.arg.int({
        required: false,
        defaultValue: 24,
        description: `How long the old secret keeps signing too, in hours (0 to ${MAX_ROTATION_OVERLAP_HOURS}; default 24).`,
      }),
    },
    errors: mutationResult('RotateWebhookSecret', 'rotation', [InvalidInputError, NotFoundError]),
    resolve: (_root, { id, overlapHours }, { caller }) => rotateWebhookSecret(caller, parseId(id, 'WebhookEndpoint', 'id'), overlapHours ?? 24),
  }),
  pingWebhookEndpoint: t.field({
    type: WebhookDelivery,
    description: 'Sends a signed `webhook.ping` event to an endpoint now, and returns how it went.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the endpoint.' }) },
    errors: mutationResult('PingWebhookEndpoint', 'delivery', [InvalidInputError, NotFoundError]),
    resolve: (_root, { id }, { caller }) => pingWebhookEndpoint(caller, parseId(id, 'WebhookEndpoint', 'id')),
  }),
  replayWebhookEvents: t.field({
    type: Replay,
    description: 'Queues events again for an endpoint, with their original webhook-id: one event, or a time range.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the endpoint.' }), input: t.arg({ type: ReplayInput, required: true, description: 'Which events.' }) },
    errors: mutationResult('ReplayWebhookEvents', 'replay', [InvalidInputError, NotFoundError]),
    resolve: async (_root, { id, input }, { caller }) => ({ queued: await replayWebhookEvents(caller, parseId(id, 'WebhookEndpoint', 'id'), input) }),
  }),
}));
