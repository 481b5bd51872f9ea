import { Writable } from 'node:stream';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import pino from 'pino';
import { analytics } from '../../src/analytics/serving';
import { db, useDb } from '../../src/db/client';
import { PrismaClient } from '../../src/generated/prisma/client';
import { createApp } from '../../src/server/app';
import { createConsumer, createProvider, purchase } from '../support/factories';
import { adminKey } from '../support/graphql';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n').map((line) => JSON.parse(line)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const { logger, lines } = capturingLogger();
const app = createApp({ logger, production: false });

const get = (path: string, headers: Record<string, string> = {}) => app.fetch(`http://rapport.test${path}`, { headers });
const post = async (body: object, headers: Record<string, string> = {}) =>
  app.fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await adminKey()}`, ...headers },
    body: JSON.stringify(body),
  });

describe('/ready', () => {
  it('is 503 until the relation graph is loaded, then 200', async () => {
    expect((await get('/ready')).status).toBe(503);
    await analytics().projection.refresh();
    expect((await get('/ready')).status).toBe(200);
  });

  it('is 503 while the database cannot be reached, and 200 again once it can', async () => {
    const working = db();
    useDb(new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: 'file:/nonexistent-folder/rapport.db' }) }));
    try {
      expect((await get('/ready')).status).toBe(503);
    } finally {
      await db().$disconnect();
      useDb(working);
    }
    expect((await get('/ready')).status).toBe(200);
  });
});

describe('/metrics', () => {
  const metrics = async () => (await get('/metrics')).text();

  it('counts requests and times them per operation name and type', async () => {
    await post({ query: 'query CountConsumers { consumers { totalCount } }' });
    await post({ query: 'query CountConsumers { consumers { totalCount } }' });
    await post({ query: 'query A { __typename } query B { __typename }', operationName: 'B' });
    await post({ query: '{ noSuchField }' });

    const text = await metrics();
    expect(text).toContain('rapport_graphql_requests_total{operation="CountConsumers",type="query",status="200"} 2');
    expect(text).toContain('rapport_graphql_requests_total{operation="B",type="query",status="200"} 1');
    // A document that does not parse or validate has no operation name, whatever the request says.
    expect(text).toMatch(/rapport_graphql_requests_total\{operation="invalid",type="unknown",status="\d+"\} 1/);
    expect(text).toContain('rapport_graphql_request_duration_seconds_count{operation="CountConsumers",type="query"} 2');
    expect(text).toContain('rapport_graphql_request_duration_seconds_bucket{le="+Inf",operation="B",type="query"} 1');
  });

  it('reports the projection’s size and version and the analytics tasks’ times', async () => {
    const consumer = await createConsumer();
    const provider = await createProvider();
    await purchase(consumer.id, provider.id);
    await post({ query: '{ providerRanking(metric: PAGERANK) { entries { rank } } }' });

    const { store, version } = analytics().projection.view();
    const text = await metrics();
    expect(text).toMatch(new RegExp(`^rapport_projection_nodes ${store.order}$`, 'm'));
    expect(text).toMatch(new RegExp(`^rapport_projection_edges ${store.size}$`, 'm'));
    expect(text).toMatch(new RegExp(`^rapport_projection_version ${version}$`, 'm'));
    expect(store.size).toBeGreaterThan(0);
    expect(text).toContain('rapport_analytics_task_duration_seconds_count{task="centrality.PAGERANK"} 1');
  });

  it('is served in the Prometheus text format', async () => {
    const response = await get('/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('# TYPE rapport_graphql_requests_total counter');
  });
});

describe('request ids', () => {
  it('keeps the caller’s x-request-id, returns it and logs it with the request', async () => {
    const response = await post({ query: '{ __typename }' }, { 'x-request-id': 'abc-123' });
    expect(response.headers.get('x-request-id')).toBe('abc-123');
    expect(lines).toContainEqual(
      expect.objectContaining({ requestId: 'abc-123', method: 'POST', path: '/graphql', status: 200, msg: 'request' }),
    );
  });

  it('gives a request without one (or with an unsafe one) a new id', async () => {
    const fresh = (await get('/health')).headers.get('x-request-id');
    const replaced = (await get('/health', { 'x-request-id': 'bad id\twith spaces' })).headers.get('x-request-id');
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced).not.toBe(fresh);
  });
});
