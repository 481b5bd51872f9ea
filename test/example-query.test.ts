import { loadDemoData } from '../src/domain/demo-data';
import { EXAMPLE_QUERY } from '../src/server/example-query';
import { adminKey, app } from './support/graphql';

// What GraphiQL opens with must run, operation by operation, on the demo data, with the admin key
// that the README tells operators to paste into GraphiQL's headers.

beforeAll(async () => {
  await loadDemoData();
});

it.each(['Overview', 'Insights'])('runs the %s operation without errors', async (operationName) => {
  const response = await app.fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await adminKey()}` },
    body: JSON.stringify({ query: EXAMPLE_QUERY, operationName }),
  });
  const result = await response.json();
  expect(result.errors).toBeUndefined();
  expect(Object.values(result.data).every((value) => value !== null)).toBe(true);
});
