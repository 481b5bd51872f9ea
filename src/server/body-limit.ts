import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { IncomingMessage } from 'node:http';

/** A single non-negative integer: anything else (lists, signs, smuggling attempts) is refused. */
const CONTENT_LENGTH = /^\d+$/;

function refusal(message: string, code: string, status: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

const tooLarge = (limit: number) => refusal(`The request body is larger than ${limit} bytes`, 'REQUEST_ENTITY_TOO_LARGE', 413);

/**
 * The body of a request that came through node:http with a valid Content-Length and no
 * Transfer-Encoding is exactly that long: node's HTTP parser reads that many bytes as the body
 * and parses what follows as the next request. Such a body needs no counting as it streams.
 */
function lengthFixedByNode(request: Request, serverContext: { req?: IncomingMessage }, declared: string | null): boolean {
  return serverContext.req !== undefined && declared !== null && !request.headers.has('transfer-encoding');
}

/** The body read whole, refused as soon as it passes `limit` bytes, in a request of its own. */
async function boundedCopy(request: Request, limit: number, fetchAPI: { Request: typeof Request }): Promise<Request> {
  const reader = request.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(read.value);
  }
  return new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body: Buffer.concat(chunks, size) });
}

/**
 * The request body limit (graphql-yoga's `maxRequestBodySize` in behaviour: 413
 * `REQUEST_ENTITY_TOO_LARGE` before parsing), without its cost on every request: yoga pipes every
 * body through a counting stream, an abort controller and a second Request. A declared length
 * over the limit is refused at once; a body whose length node:http has fixed is parsed as it is;
 * any other (chunked, or built in-process) is counted while it is read.
 */
export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null && !CONTENT_LENGTH.test(declared)) throw refusal('The Content-Length header is not a length', 'BAD_REQUEST', 400);
      if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
      if (!requestParser || request.body === null || lengthFixedByNode(request, serverContext as { req?: IncomingMessage }, declared)) return;
      const parse = requestParser;
      setRequestParser(async (received) => parse(await boundedCopy(received, limit, fetchAPI)));
    },
  };
}
