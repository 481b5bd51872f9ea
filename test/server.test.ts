import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, waitUntilServing } from './support/server-process';

const dataDir = mkdtempSync(join(tmpdir(), 'rapport-start-'));

async function post(port: number, query: string) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

describe('npm start', () => {
  it('migrates a new database, loads the demo data once, serves GraphiQL and /health, and stops cleanly', async () => {
    const env = { DATABASE_URL: `file:${join(dataDir, 'nested', 'rapport.db')}` };
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

    const demo = await post(port, '{ providers { totalCount } consumers { totalCount } relations { totalCount } }');
    expect(demo.data.providers.totalCount).toBe(8);
    expect(demo.data.consumers.totalCount).toBe(40);
    expect(demo.data.relations.totalCount).toBeGreaterThan(100);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // A second start on the same database keeps what is there and adds no second demo set.
    const secondPort = await freePort();
    const second = startServer({ ...env, PORT: String(secondPort) });
    await waitUntilServing(second);
    const again = await post(secondPort, '{ providers { totalCount } relations { totalCount } }');
    expect(again.data).toEqual({ providers: demo.data.providers, relations: demo.data.relations });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('refuses a bad configuration with a message naming the variable', async () => {
    const server = startServer({ PORT: 'eighty', DATABASE_URL: `file:${join(dataDir, 'unused.db')}` });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT="eighty": must be a number');
  });
});
