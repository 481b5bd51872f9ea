import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/server/app';
import { createLogger } from '../src/server/logger';
import { freePort, printedAdminKey, startServer, waitUntilServing } from './support/server-process';

const dataDir = mkdtempSync(join(tmpdir(), 'rapport-start-'));

async function post(port: number, query: string, key?: string) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

describe('npm start', () => {
  it('migrates a new database, loads the demo data once, prints an admin key once, serves GraphiQL and /health, and stops cleanly', async () => {
    // The embedded default: no PII_KEYS, so the key is generated into the data folder.
    const env = { DATABASE_URL: `file:${join(dataDir, 'nested', 'rapport.db')}`, PII_KEYS: undefined };
    const port = await freePort();
    const first = startServer({ ...env, PORT: String(port) });
    await waitUntilServing(first);

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);

    const graphiql = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
    const page = await graphiql.text();
    expect(graphiql.headers.get('content-type')).toMatch(/text\/html/);
    expect(page).toContain('Rapport');
    expect(page).toContain('query Overview');

    const adminKey = printedAdminKey(first);
    expect(adminKey).toBeDefined();
    expect(statSync(join(dataDir, 'nested', 'pii-keys')).mode & 0o777).toBe(0o600);

    const anonymous = await post(port, '{ consumers { totalCount } }');
    expect(anonymous.errors[0].extensions.code).toBe('AuthenticationError');

    const demo = await post(port, '{ providers { totalCount } consumers { totalCount } relations { totalCount } }', adminKey);
    expect(demo.data.providers.totalCount).toBe(8);
    expect(demo.data.consumers.totalCount).toBe(40);
    expect(demo.data.relations.totalCount).toBeGreaterThan(100);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // A second start on the same database keeps what is there and adds no second demo set.
    const secondPort = await freePort();
    const second = startServer({ ...env, PORT: String(secondPort) });
    await waitUntilServing(second);
    const again = await post(secondPort, '{ providers { totalCount } relations { totalCount } }', adminKey);
    expect(again.data).toEqual({ providers: demo.data.providers, relations: demo.data.relations });
    expect(second.output()).not.toContain('Created an admin API key');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('refuses a bad configuration with a message naming the variable', async () => {
    const server = startServer({ PORT: 'eighty', DATABASE_URL: `file:${join(dataDir, 'unused.db')}` });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT="eighty": must be a number');
  });
});

it('leaves no timer behind when an app is made and dropped: the periodic tasks are the server process’s', () => {
  const intervals = jest.spyOn(global, 'setInterval');
  try {
    createApp({ logger: createLogger('silent'), production: false });
    expect(intervals).not.toHaveBeenCalled();
  } finally {
    intervals.mockRestore();
  }
});
