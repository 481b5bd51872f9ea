import { parse, validate } from 'graphql';
import { loadDemoData } from '../src/domain/demo-data';
import { schema } from '../src/schema';
import { EXAMPLE_QUERY, EXAMPLE_TABS } from '../src/server/example-query';
import { adminKey, app } from './support/graphql';

// What GraphiQL opens with must run, operation by operation, on the demo data, with the admin key
// that the README tells operators to paste into GraphiQL's headers.

beforeAll(async () => {
  await loadDemoData();
});

async function post(body: object) {
  const response = await app.fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await adminKey()}` },
    body: JSON.stringify(body),
  });
  return response.json();
}

it.each(['Overview', 'Insights'])('runs the %s operation without errors', async (operationName) => {
  const result = await post({ query: EXAMPLE_QUERY, operationName });
  expect(result.errors).toBeUndefined();
  expect(Object.values(result.data).every((value) => value !== null)).toBe(true);
});

it('records a purchase with the mutation tab and its variables', async () => {
  const [, tab] = EXAMPLE_TABS;
  const result = await post({ query: tab.query, variables: JSON.parse(tab.variables!) });
  expect(result.data.recordRelation).toMatchObject({
    __typename: 'RecordRelationSuccess',
    relation: { kind: 'PURCHASE', consumer: { name: 'Ada Lovelace' }, provider: { name: 'Northwind Groceries' } },
  });
});

it('offers a subscription tab that is valid against the schema', () => {
  const [, , tab] = EXAMPLE_TABS;
  expect(validate(schema, parse(tab.query))).toEqual([]);
  expect(tab.query).toContain('subscription LiveRelations');
});
