import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { type Caller, ForbiddenError } from '../auth/caller';
import { CENTRALITY_METRICS } from '../analytics/graph/centrality';
import { config } from '../config';
import { configuredKeyring, db } from '../db/client';
import { encrypt } from '../db/pii';
import type { Prisma, WebhookDelivery, WebhookEndpoint } from '../generated/prisma/client';
import { EVENT_TYPES, type EventType, ownerMayReceive } from '../live/catalogue';
import { attemptDelivery } from '../live/webhooks/deliveries';
import { holdFanOutCursor, newMessageId } from '../live/webhooks/fan-out';
import { checkTarget } from '../live/webhooks/sender';
import { newSecret } from '../live/webhooks/signing';
import { auditedTransaction } from './audit';
import { InvalidInputError, NotFoundError, parseInput } from './errors';

/** Endpoints one owner (a provider, or the platform) may register. */
export const MAX_ENDPOINTS_PER_OWNER = 20;
/** Events one replay may queue; a longer range is replayed in parts. */
export const MAX_REPLAYED_EVENTS = 1000;
/** The longest overlap a rotation may give the previous secret. */
export const MAX_ROTATION_OVERLAP_HOURS = 7 * 24;
const MAX_URL_CHARS = 2048;

/** The type of the test ping, outside the catalogue: only pingWebhookEndpoint sends it. */
export const PING_EVENT_TYPE = 'webhook.ping';

/** Who owns the endpoints a caller manages: a provider, or the platform (admins). */
function ownerOf(caller: Caller): number | null {
  if (caller.role === 'ADMIN') return null;
  if (caller.role === 'PROVIDER') return caller.providerId;
  throw new ForbiddenError('Webhook endpoints belong to providers and to the platform: use a provider or an admin key');
}

/** The endpoints a caller may see and change: admins any, providers their own. */
function managedBy(caller: Caller): Prisma.WebhookEndpointWhereInput {
  const owner = ownerOf(caller);
  return owner === null ? {} : { providerId: owner };
}

const endpointFields = z.object({
  url: z
    .string()
    .max(MAX_URL_CHARS, `must be at most ${MAX_URL_CHARS} characters`)
    .refine((value) => URL.canParse(value), 'must be an absolute URL such as https://example.com/webhooks')
    .refine((value) => !URL.canParse(value) || ['https:', 'http:'].includes(new URL(value).protocol), 'must be an http or https URL')
    .refine((value) => !URL.canParse(value) || (!new URL(value).username && !new URL(value).password), 'must not hold a user name or password'),
  description: z.string().trim().max(200, 'must be at most 200 characters').nullish(),
  eventTypes: z
    .array(z.enum(EVENT_TYPES))
    .min(1, 'must name at least one event type')
    .max(EVENT_TYPES.length)
    .refine((types) => new Set(types).size === types.length, 'must not name an event type twice'),
  rankingMetric: z.enum(CENTRALITY_METRICS).nullish(),
});

export type EndpointInput = z.input<typeof endpointFields>;

/** Checks what only the owner and the network can say: allowed event types, a reachable target, a metric for rankings. */
async function checkedEndpoint(owner: number | null, input: z.output<typeof endpointFields>) {
  const refused = input.eventTypes.filter((type) => !ownerMayReceive(owner, type));
  if (refused.length > 0) {
    throw InvalidInputError.of('eventTypes', `${refused.join(', ')} carry consumers' account events and are for admin endpoints only`);
  }
  if (input.eventTypes.includes('ranking.changed') && !input.rankingMetric) {
    throw InvalidInputError.of('rankingMetric', 'name the metric whose ranking ranking.changed follows');
  }
  const url = new URL(input.url);
  if (config().production && url.protocol !== 'https:') throw InvalidInputError.of('url', 'must be an https URL in production');
  const refusal = await checkTarget(url, config().webhooks.allowTargets);
  if (refusal) throw InvalidInputError.of('url', refusal);
  return {
    url: url.toString(),
    description: input.description ?? null,
    eventTypes: input.eventTypes.join(','),
    rankingMetric: input.eventTypes.includes('ranking.changed') ? input.rankingMetric! : null,
  };
}

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  /** The signing secret, shown only now. */
  secret: string;
}

export async function registerWebhookEndpoint(caller: Caller, input: EndpointInput): Promise<EndpointWithSecret> {
  const owner = ownerOf(caller);
  const fields = await checkedEndpoint(owner, parseInput(endpointFields, input));
  const secret = newSecret();
  const endpoint = await auditedTransaction(async (tx) => {
    // No fan-out moves past events owed to this endpoint while it is being registered.
    await holdFanOutCursor(tx);
    if ((await tx.webhookEndpoint.count({ where: { providerId: owner } })) >= MAX_ENDPOINTS_PER_OWNER) {
      throw InvalidInputError.of('url', `at most ${MAX_ENDPOINTS_PER_OWNER} endpoints may be registered; update or delete one first`);
    }
    return tx.webhookEndpoint.create({ data: { ...fields, providerId: owner, secret: encrypt(configuredKeyring(), secret) } });
  }, (created) => created.id);
  return { endpoint, secret };
}

/** What a GraphQL selection adds to a read (plugin-prisma's `query`). */
type Selection = Omit<Prisma.WebhookEndpointFindManyArgs, 'where' | 'orderBy' | 'take'>;

async function managedEndpoint(caller: Caller, id: number, query: Selection = {}): Promise<WebhookEndpoint> {
  const endpoint = await db().webhookEndpoint.findFirst({ ...query, where: { id, ...managedBy(caller) } });
  if (!endpoint) throw new NotFoundError('WebhookEndpoint', 'id');
  return endpoint;
}

/** Fields left out (or null, but for the description and the metric) stay as they are. */
export type EndpointChanges = { [Field in keyof EndpointInput]?: EndpointInput[Field] | null };

export async function updateWebhookEndpoint(caller: Caller, id: number, input: EndpointChanges): Promise<WebhookEndpoint> {
  const current = await managedEndpoint(caller, id);
  const merged = {
    url: input.url ?? current.url,
    description: input.description === undefined ? current.description : input.description,
    eventTypes: input.eventTypes ?? current.eventTypes.split(','),
    rankingMetric: input.rankingMetric === undefined ? current.rankingMetric : input.rankingMetric,
  };
  const fields = await checkedEndpoint(current.providerId, parseInput(endpointFields, merged));
  return auditedTransaction((tx) => tx.webhookEndpoint.update({ where: { id }, data: fields }));
}

/** Stops deliveries to an endpoint; its events are held meanwhile (up to WEBHOOK_MAX_HELD_EVENTS). */
export async function disableWebhookEndpoint(caller: Caller, id: number): Promise<WebhookEndpoint> {
  await managedEndpoint(caller, id);
  return auditedTransaction((tx) => tx.webhookEndpoint.update({ where: { id }, data: { disabledAt: new Date(), disabledReason: 'Disabled by its owner.' } }));
}

/** Removes an endpoint with its delivery log; events stay in the outbox for other endpoints. */
export async function deleteWebhookEndpoint(caller: Caller, id: number): Promise<WebhookEndpoint> {
  await managedEndpoint(caller, id);
  return auditedTransaction((tx) => tx.webhookEndpoint.delete({ where: { id } }));
}

/**
 * Resumes deliveries where they stopped: the delivery whose failure disabled the endpoint first
 * (it is attempted again), then the events held while it was disabled, in order. When more
 * happened than could be held, a `webhook.missed` event follows them, naming the time range to
 * replay; events after it are delivered as usual.
 */
export async function enableWebhookEndpoint(caller: Caller, id: number): Promise<WebhookEndpoint> {
  await managedEndpoint(caller, id);
  return auditedTransaction(async (tx) => {
    // No fan-out counts a missed event between this read and the commit.
    await holdFanOutCursor(tx);
    const endpoint = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    if (endpoint.disabledAt === null) return endpoint;
    const now = new Date();
    if (endpoint.failedDeliveryId !== null) {
      await tx.webhookDelivery.updateMany({
        where: { id: endpoint.failedDeliveryId, status: 'FAILED' },
        data: { status: 'PENDING', firstAttemptAt: null, nextAttemptAt: now },
      });
    }
    if (endpoint.missedEvents > 0) await queueMissedNotice(tx, endpoint, now);
    return tx.webhookEndpoint.update({
      where: { id },
      data: { disabledAt: null, disabledReason: null, failedDeliveryId: null, missedEvents: 0, missedFrom: null },
    });
  });
}

/** The type of the notice that events were not held for a disabled endpoint, outside the catalogue. */
export const MISSED_EVENT_TYPE = 'webhook.missed';

/** Queues, after the held events, the notice of those that were not held, with the range that replays them. */
async function queueMissedNotice(tx: Prisma.TransactionClient, endpoint: WebhookEndpoint, now: Date): Promise<void> {
  const payload = {
    endpoint: { id: encodeGlobalID('WebhookEndpoint', endpoint.id) },
    missed: { count: endpoint.missedEvents, from: endpoint.missedFrom!.toISOString(), to: now.toISOString() },
  };
  const event = await tx.webhookEvent.create({
    data: { messageId: newMessageId(), type: MISSED_EVENT_TYPE, providerId: endpoint.providerId, payload: JSON.stringify(payload), createdAt: now },
  });
  await tx.webhookDelivery.create({ data: { endpointId: endpoint.id, eventId: event.id } });
}

/** A new secret; the current one keeps signing too (a second signature) for `overlapHours`. */
export async function rotateWebhookSecret(caller: Caller, id: number, overlapHours: number): Promise<EndpointWithSecret> {
  if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > MAX_ROTATION_OVERLAP_HOURS) {
    throw InvalidInputError.of('overlapHours', `must be a whole number of hours from 0 to ${MAX_ROTATION_OVERLAP_HOURS}`);
  }
  const current = await managedEndpoint(caller, id);
  const secret = newSecret();
  const endpoint = await auditedTransaction((tx) =>
    tx.webhookEndpoint.update({
      where: { id },
      data: {
        secret: encrypt(configuredKeyring(), secret),
        previousSecret: overlapHours > 0 ? current.secret : null,
        previousSecretUntil: overlapHours > 0 ? new Date(Date.now() + overlapHours * 3_600_000) : null,
      },
    }),
  );
  return { endpoint, secret };
}

/** Sends a `webhook.ping` at once, outside the endpoint's queue, and logs the attempt. */
export async function pingWebhookEndpoint(caller: Caller, id: number): Promise<WebhookDelivery> {
  const endpoint = await managedEndpoint(caller, id);
  const event = { messageId: newMessageId(), type: PING_EVENT_TYPE, createdAt: new Date(), payload: JSON.stringify({ endpointId: id }) };
  const { outcome, delivered } = await attemptDelivery(endpoint, event, config().webhooks);
  const now = new Date();
  return auditedTransaction(async (tx) => {
    const stored = await tx.webhookEvent.create({ data: { ...event, providerId: endpoint.providerId } });
    return tx.webhookDelivery.create({
      data: {
        endpointId: id,
        eventId: stored.id,
        status: delivered ? 'DELIVERED' : 'FAILED',
        attempts: 1,
        firstAttemptAt: now,
        lastAttemptAt: now,
        lastResponseCode: 'status' in outcome ? outcome.status : null,
        lastResponseExcerpt: 'status' in outcome ? outcome.excerpt : null,
        lastError: 'error' in outcome ? outcome.error : delivered ? null : `HTTP ${outcome.status}`,
      },
    });
  });
}

const replayInput = z
  .object({
    webhookId: z.string().max(64, 'must be at most 64 characters').nullish(),
    from: z.date().nullish(),
    to: z.date().nullish(),
  })
  .refine((input) => Boolean(input.webhookId) !== Boolean(input.from && input.to), {
    message: 'pass either webhookId, or both from and to',
    path: ['webhookId'],
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, { message: 'must not be after `to`', path: ['from'] });

/**
 * Queues again, at the end of the endpoint's queue and with their original `webhook-id`, the
 * endpoint's events: one, or those of a time range. Returns how many were queued.
 */
export async function replayWebhookEvents(caller: Caller, endpointId: number, input: z.input<typeof replayInput>): Promise<number> {
  const { webhookId, from, to } = parseInput(replayInput, input);
  const endpoint = await managedEndpoint(caller, endpointId);
  const types = endpoint.eventTypes.split(',') as EventType[];
  const where: Prisma.WebhookEventWhereInput = {
    type: { in: types },
    ...(endpoint.providerId === null ? {} : { adminOnly: false, OR: [{ providerId: endpoint.providerId }, { providerId: null }] }),
    ...(webhookId ? { messageId: webhookId } : { createdAt: { gte: from!, lte: to! } }),
  };
  const events = await db().webhookEvent.findMany({ where, orderBy: { id: 'asc' }, take: MAX_REPLAYED_EVENTS + 1, select: { id: true, type: true, metric: true } });
  const owed = events.filter((event) => event.type !== 'ranking.changed' || event.metric === endpoint.rankingMetric);
  if (webhookId && owed.length === 0) throw new NotFoundError('WebhookEvent', 'webhookId');
  if (owed.length > MAX_REPLAYED_EVENTS) {
    throw InvalidInputError.of('from', `the range holds more than ${MAX_REPLAYED_EVENTS} events: replay it in shorter ranges`);
  }
  await auditedTransaction((tx) => tx.webhookDelivery.createMany({ data: owed.map((event) => ({ endpointId, eventId: event.id })) }));
  return owed.length;
}

export function webhookEndpointsOf(caller: Caller, query: Selection = {}): Promise<WebhookEndpoint[]> {
  const owner = ownerOf(caller);
  return db().webhookEndpoint.findMany({ ...query, where: { providerId: owner }, orderBy: { id: 'asc' }, take: MAX_ENDPOINTS_PER_OWNER });
}

/** The endpoint a caller may read the delivery log of. */
export const webhookEndpointOf = managedEndpoint;
