import { serverAudits } from 'graphql-http';
import { app } from '../support/graphql';

// The GraphQL-over-HTTP spec's audits, every one of them (MUST, SHOULD and MAY), against the yoga app.
const ENDPOINT = 'http://rapport.test/graphql';

/**
 * A client as docs/security.md asks of every client: requests a browser could send without a CORS
 * preflight (GET, form content types) carry the CSRF header, or are refused with 403.
 */
const CSRF_HEADER = { 'x-graphql-yoga-csrf': '1' };
const client = (input: RequestInfo | URL, init: RequestInit = {}) =>
  app.fetch(input as string, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers)), ...CSRF_HEADER } });

describe('GraphQL over HTTP', () => {
  for (const audit of serverAudits({ url: ENDPOINT, fetchFn: client })) {
    it(`${audit.name} (${audit.id})`, async () => {
      const result = await audit.fn();
      if (result.status !== 'ok') {
        const body = await result.response.text();
        throw new Error(`${result.status}: ${result.reason}\nresponse ${result.response.status}: ${body}`);
      }
    });
  }

  it('answers a query sent with GET as application/graphql-response+json', async () => {
    const response = await client(`${ENDPOINT}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a mutation sent with GET: 405 with an Allow header', async () => {
    const mutation = 'mutation { deleteConsumer(id: "x") { __typename } }';
    const response = await client(`${ENDPOINT}?query=${encodeURIComponent(mutation)}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/POST/);
  });

  it('answers a document that does not validate with 400 under application/graphql-response+json', async () => {
    const response = await app.fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ noSuchField }' }),
    });
    expect(response.status).toBe(400);
    const result = await response.json();
    expect(result.errors[0].message).toContain('noSuchField');
  });
});
