import { loadDemoData } from '../src/domain/demo-data';
import { EXAMPLE_QUERY } from '../src/server/example-query';
import { app } from './support/graphql';

// What GraphiQL opens with must run, operation by operation, on the demo data.

beforeAll(async () => {
  await loadDemoData();
});

it.each(['Overview', 'Insights'])('runs the %s operation without errors', async (operationName) => {
  const response = await app.fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: EXAMPLE_QUERY, operationName }),
  });
  const result = await response.json();
  expect(result.errors).toBeUndefined();
  expect(Object.values(result.data).every((value) => value !== null)).toBe(true);
});
