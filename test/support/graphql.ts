import { createApp } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';

export const app = createApp({ logger: createLogger('silent'), production: false });

export interface GraphQLResponse<Data = any> {
  data?: Data;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** Executes an operation over HTTP semantics, in process, through yoga.fetch. */
export async function execute<Data = any>(query: string, variables?: Record<string, unknown>) {
  const response = await app.fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<Data>;
}

/** Executes an operation that must succeed, and returns its data. */
export async function run<Data = any>(query: string, variables?: Record<string, unknown>): Promise<Data> {
  const result = await execute<Data>(query, variables);
  if (result.errors) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
  return result.data!;
}
