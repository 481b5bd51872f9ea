import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OperationDefinitionNode, parse } from 'graphql';
import { loadDemoData } from '../../src/domain/demo-data';
import { createApp } from '../../src/server/app';
import type { RateLimitOptions } from '../../src/server/admission';
import { createLogger } from '../../src/server/logger';
import { EXAMPLE_QUERY } from '../../src/server/example-query';
import { adminKey, execute, keyFor, run } from '../support/graphql';

// Abusive documents are refused before execution with an error naming the limit, and the
// server goes on serving; every legitimate operation of the README and GraphiQL passes.

let ids: { consumerId: string; providerId: string };

beforeAll(async () => {
  await loadDemoData();
  const data = await run('{ consumers(first: 1) { edges { node { id } } } providers(first: 1) { edges { node { id } } } }');
  ids = { consumerId: data.consumers.edges[0].node.id, providerId: data.providers.edges[0].node.id };
});

async function expectServingStill() {
  const data = await run('{ providers(first: 1) { totalCount } }');
  expect(data.providers.totalCount).toBe(8);
}

describe('refused before execution', () => {
  it('deep nesting', async () => {
    const deep = `{ consumers { edges { node { relations { edges { node { provider { relations { edges { node {
      consumer { relations { edges { node { provider { name } } } } } } } } } } } } } } } }`;
    const result = await execute(deep);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].message).toMatch(/depth limit of 12 exceeded/i);
    await expectServingStill();
  });

  it('a thousand aliases, and a hundred', async () => {
    const aliases = (count: number) => Array.from({ length: count }, (_, index) => `a${index}: viewer { role }`).join(' ');
    const thousand = await execute(`{ ${aliases(1000)} }`);
    expect(thousand.data).toBeUndefined();
    expect(thousand.errors?.[0].message).toMatch(/limit of \d+ exceeded/i);
    const hundred = await execute(`{ ${aliases(100)} }`);
    expect(hundred.data).toBeUndefined();
    expect(hundred.errors?.[0].message).toMatch(/aliases limit of 30 exceeded/i);
    await expectServingStill();
  });

  it('a page of a million, written in the document or passed as a variable', async () => {
    const literal = await execute('{ consumers(first: 1000000) { totalCount } }');
    expect(literal.data).toBeUndefined();
    expect(literal.errors?.[0].message).toMatch(/Query\.consumers\(first: 1000000\) asks for more than 100 items/);
    expect(literal.errors?.[0].extensions?.code).toBe('PAGE_TOO_LARGE');

    // The same document first with a fair size: a cached validation must not let the huge one by.
    const document = 'query ($n: Int) { providers { edges { node { relations(last: $n) { totalCount } } } } }';
    expect((await execute(document, { n: 5 })).errors).toBeUndefined();
    const variable = await execute(document, { n: 1000000 });
    expect(variable.data ?? undefined).toBeUndefined();
    expect(variable.errors?.[0].message).toMatch(/Provider\.relations\(last: 1000000\) asks for more than 100 items/);
    await expectServingStill();
  });

  it('an expensive product of pages', async () => {
    const result = await execute('{ consumers(first: 100) { edges { node { relations(first: 100) { edges { node { provider { name } } } } } } } }');
    expect(result.errors?.[0].message).toMatch(/This operation costs \d+, more than the limit of 25000/);
    expect(result.errors?.[0].extensions?.code).toBe('COST_LIMIT_EXCEEDED');
  });

  it('a huge document', async () => {
    const fields = Array.from({ length: 5000 }, () => 'name').join(' ');
    const result = await execute(`{ providers { edges { node { ${fields} } } } }`);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].message).toMatch(/Token limit of 4000 exceeded/i);
    await expectServingStill();
  });
});

describe('legitimate operations pass the limits', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const documents = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((block) => block[1]);
  // Subscriptions stream over SSE; test/ecosystem/subscriptions.test.ts runs them.
  const operations = documents.flatMap((document) =>
    parse(document)
      .definitions.filter((definition) => (definition as OperationDefinitionNode).operation !== 'subscription')
      .map((definition) => ({ document, name: (definition as OperationDefinitionNode).name?.value })),
  );

  it.each(operations.map((operation) => [operation.name ?? '(anonymous)', operation]))('README: %s', async (_name, operation) => {
    const variables = { ...ids, id: ids.providerId, after: null };
    const document = operation.document.replace(/^mutation \{/m, 'mutation Create {');
    const response = await execute(document, variables, { operationName: operation.name ?? 'Create' });
    expect(response.errors).toBeUndefined();
  });

  it('GraphiQL’s example operations', async () => {
    for (const operationName of ['Overview', 'Insights']) {
      expect((await execute(EXAMPLE_QUERY, {}, { operationName })).errors).toBeUndefined();
    }
  });
});

function createTestApp(options: { production?: boolean; rateLimit?: Partial<RateLimitOptions> } = {}) {
  return createApp({ logger: createLogger('silent'), production: options.production ?? false, rateLimit: options.rateLimit });
}

async function post(app: ReturnType<typeof createTestApp>, query: string, key?: string) {
  return app.fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  });
}

it('hides field suggestions in production, and keeps them for developers', async () => {
  const production = await (await post(createTestApp({ production: true }), '{ providers { edges { node { nam } } } }')).json();
  expect(JSON.stringify(production.errors)).not.toMatch(/Did you mean/);
  const development = await (await post(createTestApp(), '{ providers { edges { node { nam } } } }')).json();
  expect(development.errors[0].message).toMatch(/Did you mean "name"/);
});

it('limits requests per API key, answering 429 with Retry-After, without slowing other keys', async () => {
  const app = createTestApp({ rateLimit: { perMinute: 3 } });
  const [busy, other] = [await keyFor('ADMIN'), await keyFor('ADMIN')];
  const statuses = [];
  for (let index = 0; index < 4; index++) statuses.push((await post(app, '{ viewer { role } }', busy)).status);
  expect(statuses).toEqual([200, 200, 200, 429]);

  const limited = await post(app, '{ viewer { role } }', busy);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await limited.json()).errors[0].extensions.code).toBe('RATE_LIMITED');
  expect((await post(app, '{ viewer { role } }', other)).status).toBe(200);
});

it('shares the count between server processes through Redis when it is configured', async () => {
  const rateLimit = { perMinute: 3, redisUrl: 'redis://127.0.0.1:6379', prefix: `rapport-test:${randomUUID()}` };
  const [first, second] = [createTestApp({ rateLimit }), createTestApp({ rateLimit })];
  const key = await keyFor('ADMIN');
  const statuses = [];
  for (const app of [first, second, first, second]) statuses.push((await post(app, '{ viewer { role } }', key)).status);
  await Promise.all([first.dispose(), second.dispose()]);
  expect(statuses).toEqual([200, 200, 200, 429]);
});

it('refuses requests a browser could forge without a preflight, unless they carry credentials', async () => {
  const app = createTestApp();
  const query = encodeURIComponent('{ providers(first: 1) { totalCount } }');
  const forged = await app.fetch(`http://rapport.test/graphql?query=${query}`, { headers: { accept: 'application/json' } });
  expect(forged.status).toBe(403);
  const withKey = await app.fetch(`http://rapport.test/graphql?query=${query}`, {
    headers: { accept: 'application/json', authorization: `Bearer ${await adminKey()}` },
  });
  expect(withKey.status).toBe(200);
});
