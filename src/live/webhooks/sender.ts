import { type LookupAddress, lookup as dnsLookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { TargetNetwork } from '../../config';
import { refusedAddress } from './targets';

/** What is kept of a receiver's response body: the start, for the delivery log. */
export const RESPONSE_EXCERPT_CHARS = 200;

export interface SendOptions {
  timeoutMs: number;
  allowTargets: ReadonlySet<TargetNetwork>;
}

/** How one attempt ended: a response (any status), or an error before one arrived. */
export type SendOutcome = { status: number; excerpt: string } | { error: string };

export class RefusedTargetError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RefusedTargetError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Resolves like dns.lookup, then refuses the connection when any address is not allowed. It runs
 * at connection time, so a name that resolved to a public address when the endpoint was
 * registered and to a private one now (DNS rebinding) is refused; the socket connects to exactly
 * the addresses checked.
 */
function checkedLookup(allowTargets: ReadonlySet<TargetNetwork>) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refusal = addresses.map(({ address }) => refusedAddress(address, allowTargets)).find(Boolean);
      if (refusal) return callback(new RefusedTargetError(refusal), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** Whether a URL's host may be reached now, resolving it as a delivery would. */
export async function checkTarget(url: URL, allowTargets: ReadonlySet<TargetNetwork>): Promise<string | null> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return refusedAddress(host, allowTargets);
  return new Promise((resolve) => {
    checkedLookup(allowTargets)(host, { all: true }, (error) => {
      if (!error) resolve(null);
      else resolve(error instanceof RefusedTargetError ? error.message : `${host} does not resolve (${error.code ?? error.message})`);
    });
  });
}

/**
 * POSTs `body` to `url` with `headers`. The whole attempt (lookup, connection, response) is
 * bounded by `timeoutMs`; redirects are not followed; only the start of the response body is read.
 */
export async function postJson(url: URL, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendOutcome> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Node connects to IP literals without a lookup: they are checked here instead.
  const literalRefusal = isIP(host) ? refusedAddress(host, options.allowTargets) : null;
  if (literalRefusal) return { error: literalRefusal };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.destroy();
      resolve(outcome);
    };
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Rapport-Webhooks' },
        lookup: checkedLookup(options.allowTargets) as never,
        agent: false,
      },
      (response) => {
        let excerpt = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          excerpt += chunk;
          if (excerpt.length >= RESPONSE_EXCERPT_CHARS) finish();
        });
        const finish = () => settle({ status: response.statusCode ?? 0, excerpt: excerpt.slice(0, RESPONSE_EXCERPT_CHARS) });
        response.on('end', finish);
        response.on('error', finish);
      },
    );
    const timer = setTimeout(() => settle({ error: `no response within ${options.timeoutMs} ms` }), options.timeoutMs);
    outgoing.on('error', (error: NodeJS.ErrnoException) => settle({ error: error instanceof RefusedTargetError ? error.message : (error.code ?? error.message) }));
    outgoing.end(body);
  });
}
