import type { Plugin } from 'graphql-yoga';
import type { IncomingMessage } from 'node:http';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AuthenticationError } from '../auth/caller';
import { type Authenticated, authenticate } from '../auth/keys';
import type { FailedAccessTally } from '../domain/audit';

export interface RateLimitOptions {
  /** Requests each API key may make per minute. */
  perMinute: number;
  /** Requests each client address may make per minute, with or without a key. */
  perAddressPerMinute: number;
  /** Failed authentications a client address may make per minute; past them, all its requests wait. */
  authFailuresPerMinute: number;
  /**
   * Requests of one client address in progress at once: a budget per minute still lets a client
   * send it all in one burst, many in parallel, and keep the event loop busy for everyone else.
   */
  concurrentPerAddress: number;
  /** Shares the counters between server processes through this Redis; else each process counts alone. */
  redisUrl?: string;
  /** Names the counters in Redis. */
  prefix?: string;
}

/** Who sent a request, settled before the document is read. */
export interface Admitted extends Authenticated {
  clientAddress: string;
}

/**
 * How long to hold back a request that is the `consumed`-th of `budget` in a one-second window
 * that ends in `msLeft`: not at all within the first half of the budget (or for the first
 * request), so that a page's few parallel requests never wait; past it, the requests still
 * allowed share what is left of the second (as rate-limiter-flexible's execEvenly spaces them),
 * and each waits at least a budget's slot of the second, so that the end of one window and the
 * start of the next do not make one burst.
 */
export function pacingDelay(consumed: number, budget: number, msLeft: number): number {
  if (consumed <= Math.max(1, budget / 2)) return 0;
  return Math.max(Math.ceil(msLeft / (budget - consumed + 2)), Math.ceil(1000 / budget));
}

/** The address a request came from: the socket's peer (put a trusted proxy's address handling in front). */
function clientAddressOf(serverContext: { req?: IncomingMessage }): string {
  return serverContext.req?.socket.remoteAddress ?? 'in-process';
}

function graphqlError(message: string, code: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/**
 * Admission of GraphQL requests, before anything is parsed or validated: a budget per client
 * address and per API key (every request counts, whatever becomes of it: refused keys, invalid
 * documents), a small budget of failed authentications per address, and authentication itself.
 * Failed authentications are tallied per address and minute for the audit (`FailedAccessTally`).
 * It covers the paths starting with one of `admittedPaths`: the API and its other authenticated
 * routes (the segment export).
 */
export function createAdmission(options: RateLimitOptions, failures: FailedAccessTally, admittedPaths: readonly string[] = ['/graphql']) {
  const { redisUrl, prefix = 'rapport:rate' } = options;
  // ioredis is loaded only when Redis is configured: a server without it never pays for the module.
  const redis = redisUrl ? new (require('ioredis') as typeof import('ioredis')).Redis(redisUrl, { lazyConnect: true }) : undefined;
  const limiter = (name: string, points: number, duration = 60): RateLimiterAbstract => {
    const settings = { points, duration, keyPrefix: `${prefix}:${name}` };
    return redis ? new RateLimiterRedis({ ...settings, storeClient: redis }) : new RateLimiterMemory(settings);
  };
  const perAddress = limiter('address', options.perAddressPerMinute);
  // The minute's budget spread over its seconds, and past half a second's budget the rest of that
  // second's requests spread over what is left of it (held back, at most `concurrentPerAddress`
  // at a time): a client must not spend it in bursts that keep the event loop from everyone else.
  const perAddressPerSecond = Math.max(1, Math.ceil(options.perAddressPerMinute / 60));
  const perAddressBurst = limiter('address-second', perAddressPerSecond, 1);
  const perKey = limiter('key', options.perMinute);
  const authFailures = limiter('auth-failures', options.authFailuresPerMinute);
  const admitted = new WeakMap<Request, Admitted>();
  const inProgress = new Map<string, number>();
  const finished = (clientAddress: string) => {
    const left = (inProgress.get(clientAddress) ?? 1) - 1;
    if (left > 0) inProgress.set(clientAddress, left);
    else inProgress.delete(clientAddress);
  };

  /** Null when within budget (after the pacing delay, if `paced`), else the 429 to answer. */
  const spend = async (bucket: RateLimiterAbstract, key: string, what: string, paced = false): Promise<Response | null> => {
    try {
      const spent = await bucket.consume(key);
      const delay = paced ? pacingDelay(spent.consumedPoints, bucket.points, spent.msBeforeNext) : 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return null;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return tooMany(rejection, what);
    }
  };
  const tooMany = (rejection: RateLimiterRes, what: string) => {
    const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    return graphqlError(`Too many requests: ${what}; retry in ${retryAfter} s`, 'RATE_LIMITED', 429, { 'retry-after': String(retryAfter) });
  };

  const admit = async (request: Request, clientAddress: string): Promise<Response | null> => {
    const overAddress =
      (await spend(perAddressBurst, clientAddress, `at most ${perAddressPerSecond} a second from one address`, true)) ??
      (await spend(perAddress, clientAddress, `at most ${options.perAddressPerMinute} a minute from one address`));
    if (overAddress) return overAddress;
    const failed = await authFailures.get(clientAddress);
    if (failed && failed.consumedPoints >= options.authFailuresPerMinute) {
      return tooMany(failed, `${options.authFailuresPerMinute} failed authentications a minute from this address`);
    }
    let authenticated: Authenticated;
    try {
      authenticated = await authenticate(request.headers.get('authorization'));
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      failures.record(clientAddress, 'INVALID_KEY');
      await authFailures.penalty(clientAddress, 1);
      return graphqlError(error.message, error.name, 401, { 'www-authenticate': 'Bearer' });
    }
    const { caller } = authenticated;
    if ('keyId' in caller) {
      const overKey = await spend(perKey, String(caller.keyId), `at most ${options.perMinute} a minute per API key`);
      if (overKey) return overKey;
    }
    admitted.set(request, { ...authenticated, clientAddress });
    return null;
  };

  const plugin: Plugin<object, { req?: IncomingMessage }> = {
    async onRequest({ request, url, serverContext, endResponse }) {
      if (!admittedPaths.some((prefix) => url.pathname.startsWith(prefix)) || request.method === 'OPTIONS') return;
      // GraphiQL's page itself is static; its operations come back as requests of their own.
      const graphiqlPage = url.pathname.startsWith('/graphql') && request.method === 'GET' && !url.searchParams.has('query');
      if (graphiqlPage && request.headers.get('accept')?.includes('text/html')) return;
      const clientAddress = clientAddressOf(serverContext);
      if ((inProgress.get(clientAddress) ?? 0) >= options.concurrentPerAddress) {
        endResponse(graphqlError(`Too many requests: at most ${options.concurrentPerAddress} at once from one address; retry in 1 s`, 'RATE_LIMITED', 429, { 'retry-after': '1' }));
        return;
      }
      inProgress.set(clientAddress, (inProgress.get(clientAddress) ?? 0) + 1);
      const refusal = await admit(request, clientAddress).catch((error: unknown) => {
        finished(clientAddress);
        throw error;
      });
      if (refusal) {
        finished(clientAddress);
        endResponse(refusal);
      }
    },
    onResponse({ request }) {
      const entry = admitted.get(request);
      if (entry) finished(entry.clientAddress);
    },
    onDispose: async () => void (await redis?.quit()),
  };

  /** The caller settled for a request; a request that reached execution was always admitted. */
  const admittedOf = (request: Request): Admitted => {
    const found = admitted.get(request);
    if (!found) throw new Error('A GraphQL request reached execution without passing admission');
    return found;
  };
  /** The change log's last id read when the request was admitted, if its admission read one. */
  const changeIdOf = (request: Request): number | undefined => admitted.get(request)?.changeId;
  return { plugin, admittedOf, changeIdOf };
}
