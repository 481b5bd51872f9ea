import { readFileSync, writeFileSync } from 'node:fs';
import { db } from '../../src/db/client';
import { type ServerProcess, freePort, printedAdminKey, startServer, waitUntilServing } from '../support/server-process';

// One request never adds more than 100 MB to the server's resident memory: the heaviest requests
// the limits let through (the largest responses) and the attack that once exhausted the heap,
// each measured as the peak resident size of a real server process (Linux /proc) above its size
// before the request.

const CEILING_BYTES = 100 * 1024 * 1024;

let server: ServerProcess;
let url: string;
let key: string;

beforeAll(async () => {
  const port = await freePort();
  server = startServer({ PORT: String(port), DATABASE_URL: process.env.DATABASE_URL, DEMO_DATA: 'true' });
  await waitUntilServing(server);
  key = printedAdminKey(server)!;
  url = `http://127.0.0.1:${port}/graphql`;
  // Providers with the longest descriptions allowed, so that every row is as heavy as it can be.
  await db().provider.createMany({
    data: Array.from({ length: 100 }, (_, index) => ({
      name: `Heavy ${index}`,
      contactEmail: `heavy${index}@example.com`,
      category: 'heavy',
      description: `${index}`.padEnd(5000, 'd'),
    })),
  });
}, 60_000);

afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
});

function residentBytes(field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
}

/** The request's answer and how far the server's resident memory rose above where it stood. */
async function measured(body: unknown) {
  writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5'); // resets the peak (VmHWM) to now
  const before = residentBytes('VmRSS');
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  return { answer, added: residentBytes('VmHWM') - before };
}

const heavyPages = (aliases: number) =>
  `{ ${Array.from({ length: aliases }, (_, index) => `a${index}: providers(first: 100, filter: { category: "heavy" }) { edges { node { description } } }`).join(' ')} }`;

it('answers the largest response under the cap within the ceiling', async () => {
  const { answer, added } = await measured({ query: heavyPages(8) }); // 8 × 100 × 5,000 characters: 4 MB
  expect(answer.errors).toBeUndefined();
  expect(answer.data.a7.edges).toHaveLength(100);
  expect(added).toBeLessThan(CEILING_BYTES);
});

it('refuses a response over the cap within the ceiling', async () => {
  const { answer, added } = await measured({ query: heavyPages(30) }); // 15 MB: over the 5 MB cap
  expect(answer.errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');
  expect(added).toBeLessThan(CEILING_BYTES);
});

it('refuses the nested pages that once exhausted the heap, within the ceiling', async () => {
  const nested = `query ($n: Int) { ${Array.from(
    { length: 30 },
    (_, index) => `a${index}: relations(first: $n) { edges { node { consumer { relations(first: $n) { edges { node { provider {
      relations(first: $n) { edges { node { id } } } } } } } } } } }`,
  ).join(' ')} }`;
  const { answer, added } = await measured({ query: nested, variables: { n: 100 } });
  expect(answer.errors[0].extensions.code).toBe('COST_LIMIT_EXCEEDED');
  expect(added).toBeLessThan(CEILING_BYTES);
});
