import Database from 'better-sqlite3';
import { request } from 'node:http';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, waitForOutput, waitUntilServing } from '../support/server-process';

it('finishes a request in flight when SIGTERM arrives, then exits 0', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rapport-shutdown-'));
  const port = await freePort();
  const server = startServer({ PORT: String(port), DATABASE_URL: `file:${join(dataDir, 'rapport.db')}` });
  await waitUntilServing(server);
  expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);

  // `Expect: 100-continue` makes the server confirm it has the request before the body is sent:
  // the request is then provably in flight while the signal arrives.
  const body = JSON.stringify({ query: '{ providers { totalCount } }' });
  const slow = request({
    port,
    host: '127.0.0.1',
    path: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    slow.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    slow.on('error', reject);
  });
  await new Promise((resolve) => slow.on('continue', resolve));

  server.child.kill('SIGTERM');
  await waitForOutput(server, 'SIGTERM received');
  slow.end(body);

  const { status, text } = await response;
  expect(status).toBe(200);
  expect(JSON.parse(text)).toEqual({ data: { providers: { totalCount: 8 } } });
  expect(await server.exited).toBe(0);
});

it('saves the relation graph at shutdown, and the next start begins from it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rapport-restart-'));
  const env = { DATABASE_URL: `file:${join(dataDir, 'rapport.db')}` };
  const built = /"nodes":(\d+),"edges":(\d+),"ms":\d+,"from":"(\w+)","msg":"built the relation graph projection"/;

  const first = startServer({ ...env, PORT: String(await freePort()) });
  await waitUntilServing(first);
  const [, nodes, edges, from] = built.exec(first.output())!;
  expect(from).toBe('database');
  first.child.kill('SIGTERM');
  expect(await first.exited).toBe(0);
  expect(existsSync(join(dataDir, 'rapport.db.graph'))).toBe(true);

  const port = await freePort();
  const second = startServer({ ...env, PORT: String(port) });
  await waitUntilServing(second);
  expect(built.exec(second.output())!.slice(1)).toEqual([nodes, edges, 'file']);
  expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
});

it('writes the last counts of failed attempts at shutdown, before its database client closes', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rapport-failures-'));
  const file = join(dataDir, 'rapport.db');
  const port = await freePort();
  const server = startServer({ PORT: String(port), DATABASE_URL: `file:${file}` });
  await waitUntilServing(server);
  const refused = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer rpk_not-a-key' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(refused.status).toBe(401);

  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  const database = new Database(file, { readonly: true });
  try {
    const rows = database.prepare(`SELECT "reason", "attempts" FROM "FailedAccess"`).all();
    expect(rows).toEqual([{ reason: 'INVALID_KEY', attempts: 1 }]);
  } finally {
    database.close();
  }
});
