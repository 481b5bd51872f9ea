import type { WebhookSettings } from '../../config';
import { type Db, configuredKeyring } from '../../db/client';
import { decrypt } from '../../db/pii';
import type { Logger } from '../../server/logger';
import { type SendOutcome, postJson } from './sender';
import { signedHeaders } from './signing';

/** The longest wait between two attempts, however many failed before. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
/** What is kept of an attempt's error. */
const ERROR_CHARS = 200;

/** Waits `base·2^(attempt-1)`, capped at an hour, times a random factor in [0.5, 1) so that retries spread out. */
export function retryDelay(attempt: number, baseMs: number, random = Math.random): number {
  const exponential = Math.min(baseMs * 2 ** Math.min(attempt - 1, 30), MAX_RETRY_DELAY_MS);
  return Math.round(exponential * (0.5 + random() / 2));
}

/** The secrets that sign a request now: the current one, and the previous one during its overlap. */
export function signingSecrets(endpoint: { secret: string; previousSecret: string | null; previousSecretUntil: Date | null }, now: Date): string[] {
  const keyring = configuredKeyring();
  const secrets = [decrypt(keyring, endpoint.secret)];
  if (endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > now) {
    secrets.push(decrypt(keyring, endpoint.previousSecret));
  }
  return secrets;
}

/** The request body of an event, in the Standard Webhooks shape: type, timestamp, data. */
export function eventBody(event: { type: string; createdAt: Date; payload: string }): string {
  return `{"type":${JSON.stringify(event.type)},"timestamp":${JSON.stringify(event.createdAt.toISOString())},"data":${event.payload}}`;
}

export interface Attempt {
  outcome: SendOutcome;
  delivered: boolean;
}

/** Signs and sends one event to one endpoint. */
export async function attemptDelivery(
  endpoint: { url: string; secret: string; previousSecret: string | null; previousSecretUntil: Date | null },
  event: { messageId: string; type: string; createdAt: Date; payload: string },
  settings: Pick<WebhookSettings, 'timeoutMs' | 'allowTargets'>,
): Promise<Attempt> {
  const now = new Date();
  const body = eventBody(event);
  const headers = signedHeaders(signingSecrets(endpoint, now), event.messageId, now, body);
  const outcome = await postJson(new URL(endpoint.url), headers, body, settings);
  return { outcome, delivered: 'status' in outcome && outcome.status >= 200 && outcome.status < 300 };
}

/**
 * Delivers the events owed to endpoints, from any number of server processes at once: at least
 * once, in order per endpoint. Only an endpoint's oldest pending delivery is ever attempted, and
 * only by the process that holds its lease; a process that dies mid-attempt loses the lease when
 * it runs out, and the attempt is made again.
 */
export class DeliveryWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly leaseMs: number;

  constructor(
    private readonly database: Db,
    private readonly owner: string,
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
    private readonly onSettled: () => void = () => {},
  ) {
    this.leaseMs = settings.timeoutMs * 2 + 5_000;
  }

  get busy(): number {
    return this.inFlight.size;
  }

  /** Starts attempts for due deliveries, up to the concurrency; returns how many it started. */
  async startDue(): Promise<number> {
    const free = this.settings.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    let started = 0;
    for (const id of await this.dueHeads(free)) {
      if (!(await this.claim(id))) continue;
      const attempt = this.attempt(id)
        .catch((error: unknown) => this.logger.error({ err: error, delivery: id }, 'a webhook delivery attempt failed unexpectedly'))
        .finally(() => {
          this.inFlight.delete(attempt);
          this.onSettled();
        });
      this.inFlight.add(attempt);
      started++;
    }
    return started;
  }

  /** Waits for the attempts in progress. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** The oldest pending delivery of each enabled endpoint, when it is due and nobody holds it. */
  private async dueHeads(limit: number): Promise<number[]> {
    const heads = await this.database.webhookDelivery.groupBy({
      by: ['endpointId'],
      where: { status: 'PENDING', endpoint: { disabledAt: null } },
      _min: { id: true },
    });
    const now = new Date();
    const due = await this.database.webhookDelivery.findMany({
      where: {
        id: { in: heads.map((head) => head._min.id!).filter((id) => id !== null) },
        nextAttemptAt: { lte: now },
        OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
      },
      orderBy: { nextAttemptAt: 'asc' },
      take: limit,
      select: { id: true },
    });
    return due.map((delivery) => delivery.id);
  }

  /** Takes the lease; false when another process took it first. */
  private async claim(id: number): Promise<boolean> {
    const now = new Date();
    const { count } = await this.database.webhookDelivery.updateMany({
      where: { id, status: 'PENDING', OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + this.leaseMs) },
    });
    return count === 1;
  }

  private async attempt(id: number): Promise<void> {
    const delivery = await this.database.webhookDelivery.findUnique({ where: { id }, include: { endpoint: true, event: true } });
    if (!delivery) return; // its endpoint was deleted since the claim
    const { outcome, delivered } = await attemptDelivery(delivery.endpoint, delivery.event, this.settings);
    const now = new Date();
    const attempts = delivery.attempts + 1;
    const firstAttemptAt = delivery.firstAttemptAt ?? now;
    const givingUp = !delivered && now.getTime() - firstAttemptAt.getTime() >= this.settings.retryWindowMs;
    const status = delivered ? 'DELIVERED' : givingUp ? 'FAILED' : 'PENDING';
    const lastError = 'error' in outcome ? outcome.error.slice(0, ERROR_CHARS) : delivered ? null : `HTTP ${outcome.status}`;
    await this.database.$transaction(async (tx) => {
      const { count } = await tx.webhookDelivery.updateMany({
        // Only while the lease is still ours: past it, another process may be attempting again.
        where: { id, leaseOwner: this.owner, status: 'PENDING' },
        data: {
          status,
          attempts,
          firstAttemptAt,
          lastAttemptAt: now,
          lastResponseCode: 'status' in outcome ? outcome.status : null,
          lastResponseExcerpt: 'status' in outcome ? outcome.excerpt : null,
          lastError,
          nextAttemptAt: new Date(now.getTime() + (delivered ? 0 : retryDelay(attempts, this.settings.retryBaseMs))),
          leaseOwner: null,
          leaseUntil: null,
        },
      });
      if (count === 1 && givingUp) {
        const hours = Math.round(this.settings.retryWindowMs / 360_000) / 10;
        await tx.webhookEndpoint.update({
          where: { id: delivery.endpointId },
          data: {
            disabledAt: now,
            disabledReason: `Delivery ${delivery.event.messageId} failed for ${hours} h (${attempts} attempts; last: ${lastError}). Fix the receiver, then enable the endpoint: this event is attempted again first, then the events held meanwhile.`,
            failedDeliveryId: id,
          },
        });
      }
    });
    const log = { endpoint: delivery.endpointId, delivery: id, attempts, status, code: 'status' in outcome ? outcome.status : undefined };
    if (givingUp) this.logger.warn(log, 'disabled a webhook endpoint whose deliveries kept failing');
    else if (!delivered) this.logger.info({ ...log, error: lastError }, 'a webhook delivery attempt failed; it will be retried');
  }
}
