import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Plugin } from 'graphql-yoga';
import type { Caller } from '../auth/caller';
import { visibleConsumers } from '../auth/scopes';
import { db } from '../db/client';
import { DomainError, NotFoundError } from '../domain/errors';
import type { Consumer } from '../generated/prisma/client';
import { memberships, visibleSegment } from '../schema/segments';

/** `GET /segments/<global ID>/members.csv` (docs/segments.md). */
const PATH = /^\/segments\/([^/]+)\/members\.csv$/;
export const SEGMENT_EXPORT_PREFIX = '/segments/';

/** Members exported by one request by default, at most: past it, the API's paginated `members` is the way. */
export const MAX_EXPORTED_MEMBERS = 100_000;
/** Members read from the database per query while streaming. */
const PAGE = 1_000;

interface Column {
  name: string;
  value: (consumer: Consumer, since: Date) => string | null;
}

/**
 * The columns a caller sees, as the API's Consumer fields allow them (src/schema/consumer.ts):
 * email to a provider only when the consumer consented to marketing, phone to admins only.
 */
function columnsFor(caller: Caller): Column[] {
  const columns: Column[] = [
    { name: 'id', value: (consumer) => encodeGlobalID('Consumer', consumer.id) },
    { name: 'externalId', value: (consumer) => consumer.externalId },
    { name: 'name', value: (consumer) => consumer.name },
    { name: 'email', value: (consumer) => (caller.role === 'ADMIN' || consumer.marketingConsent ? consumer.email : null) },
  ];
  if (caller.role === 'ADMIN') columns.push({ name: 'phone', value: (consumer) => consumer.phone });
  columns.push(
    { name: 'marketingConsent', value: (consumer) => String(consumer.marketingConsent) },
    { name: 'memberSince', value: (_consumer, since) => since.toISOString() },
  );
  return columns;
}

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A leading = + - @
 * or tab is prefixed with ' so that a spreadsheet shows the text instead of running a formula.
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The segment's members that the caller may see, a page at a time by consumer ID, as CSV lines. */
function membersCsv(segmentId: number, caller: Caller): ReadableStream<Uint8Array> {
  const columns = columnsFor(caller);
  const encoder = new TextEncoder();
  let after = 0;
  let header = true;
  return new ReadableStream({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode(`${columns.map((column) => column.name).join(',')}\r\n`));
        return;
      }
      const rows = await db().segmentMember.findMany({
        where: { segmentId, consumerId: { gt: after }, consumer: visibleConsumers(caller) },
        include: { consumer: true },
        orderBy: { consumerId: 'asc' },
        take: PAGE,
      });
      const lines = rows.map(({ consumer, since }) => `${columns.map((column) => csvField(column.value(consumer, since))).join(',')}\r\n`);
      if (lines.length > 0) controller.enqueue(encoder.encode(lines.join('')));
      if (rows.length < PAGE) controller.close();
      else after = rows[rows.length - 1].consumerId;
    },
  });
}

function plainError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}

/**
 * Serves a segment's members as CSV to the callers that may read its `members` field (admins,
 * and the provider whose segment it is), streamed. Admission (rate limits, the API key) has run
 * before: `callerOf` gives the caller it settled.
 */
export function useSegmentExport(callerOf: (request: Request) => Caller, maxMembers = MAX_EXPORTED_MEMBERS): Plugin {
  return {
    async onRequest({ url, request, endResponse }) {
      if (!url.pathname.startsWith(SEGMENT_EXPORT_PREFIX)) return;
      const match = PATH.exec(url.pathname);
      if (!match) return endResponse(plainError(404, 'Not found: the export is at /segments/<segment ID>/members.csv'));
      if (request.method !== 'GET') return endResponse(plainError(405, 'Method not allowed', { allow: 'GET' }));
      const caller = callerOf(request);
      if (caller.role === 'ANONYMOUS') {
        return endResponse(plainError(401, 'The export needs an API key: send the header "Authorization: Bearer <key>"', { 'www-authenticate': 'Bearer' }));
      }
      const id = decodedSegment(match[1]);
      if (id === null) return endResponse(plainError(400, 'The segment ID in the path is not valid percent-encoding'));
      endResponse(await exportResponse(id, caller, maxMembers));
    },
  };
}

function decodedSegment(component: string): string | null {
  try {
    return decodeURIComponent(component);
  } catch {
    return null;
  }
}

async function exportResponse(globalId: string, caller: Caller, maxMembers: number): Promise<Response> {
  let segmentId: number;
  try {
    segmentId = (await visibleSegment(globalId, caller)).id;
  } catch (error) {
    if (error instanceof NotFoundError) return plainError(404, 'No segment with this ID is visible to this API key');
    if (error instanceof DomainError) return plainError(400, error.message);
    throw error;
  }
  await memberships().ensureCurrent(segmentId);
  const count = await db().segmentMember.count({ where: { segmentId, consumer: visibleConsumers(caller) } });
  if (count > maxMembers) {
    return plainError(413, `The segment has ${count} members; one export holds at most ${maxMembers}: page through Segment.members instead`);
  }
  return new Response(membersCsv(segmentId, caller), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="segment-${segmentId}-members.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
