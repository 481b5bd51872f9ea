import { listApiKeys, revokeApiKey } from '../src/auth/keys';
import { eraseConsumer } from '../src/domain/privacy';
import { parseId } from '../src/schema/ids';
import { createConsumer } from './support/factories';
import { execute, keyFor } from './support/graphql';
import { type ServerProcess, freePort, startServer, waitUntilServing } from './support/server-process';

// Keys are verified from a per-process cache. A revocation made by one process (this test's)
// must be refused by another (a server on the same database) from its very next request.

let server: ServerProcess;
let port: number;

beforeAll(async () => {
  port = await freePort();
  server = startServer({ DATABASE_URL: process.env.DATABASE_URL!, DEMO_DATA: 'false', PORT: String(port) });
  await waitUntilServing(server);
}, 60_000);

afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
});

async function typenameStatus(secret: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return response.status;
}

const keyIdOf = async (secret: string) => (await listApiKeys()).find((key) => secret.startsWith(key.prefix))!.id;

it('refuses a key revoked by another process on the next request', async () => {
  const secret = await keyFor('ADMIN');
  // Cached by both processes.
  expect(await typenameStatus(secret)).toBe(200);
  expect(await typenameStatus(secret)).toBe(200);
  expect((await execute('{ __typename }', undefined, { key: secret })).errors).toBeUndefined();

  await revokeApiKey(await keyIdOf(secret));

  expect(await typenameStatus(secret)).toBe(401);
  expect((await execute('{ __typename }', undefined, { key: secret })).errors?.[0].message).toBe(
    'This API key is not valid or has been revoked',
  );
});

it('refuses the keys of a consumer erased by another process on the next request', async () => {
  const consumer = await createConsumer();
  const secret = await keyFor('CONSUMER', consumer.id);
  expect(await typenameStatus(secret)).toBe(200);

  await eraseConsumer(parseId(consumer.id, 'Consumer', 'id'));

  expect(await typenameStatus(secret)).toBe(401);
});

it('keeps accepting other keys after a revocation', async () => {
  const kept = await keyFor('ADMIN');
  const revoked = await keyFor('ADMIN');
  expect(await typenameStatus(kept)).toBe(200);
  await revokeApiKey(await keyIdOf(revoked));
  expect(await typenameStatus(kept)).toBe(200);
});
