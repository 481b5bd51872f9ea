import { createApiKey } from '../../src/auth/keys';
import { parseId } from '../../src/schema/ids';
import type { Role } from '../../src/generated/prisma/client';
import { createApp } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';

// Rate limiting has its own test; here it must not throttle suites that make many requests.
export const app = createApp({
  logger: createLogger('silent'),
  production: false,
  rateLimit: { perMinute: 1_000_000, perAddressPerMinute: 1_000_000, concurrentPerAddress: 1_000_000 },
});

export interface GraphQLResponse<Data = any> {
  data?: Data;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** Creates an API key in the test database for a role and, but for ADMIN, the party (its global ID) it acts for; returns its secret. */
export async function keyFor(role: Role, partyId?: string): Promise<string> {
  const subject =
    role === 'PROVIDER'
      ? { providerId: parseId(partyId!, 'Provider', 'partyId') }
      : role === 'CONSUMER'
        ? { consumerId: parseId(partyId!, 'Consumer', 'partyId') }
        : {};
  return (await createApiKey({ role, ...subject, label: 'test' })).secret;
}

let adminSecret: Promise<string> | undefined;

/** The test file's admin key: operations run as the platform operator unless told otherwise. */
export function adminKey(): Promise<string> {
  adminSecret ??= keyFor('ADMIN');
  return adminSecret;
}

export interface ExecuteOptions {
  /** The API key to send; null sends none (an anonymous request). Defaults to the admin key. */
  key?: string | null;
  /** Which operation of a document with several to run. */
  operationName?: string;
}

/** Executes an operation over HTTP semantics, in process, through yoga.fetch. */
export async function execute<Data = any>(query: string, variables?: Record<string, unknown>, options: ExecuteOptions = {}) {
  const key = options.key === undefined ? await adminKey() : options.key;
  const response = await app.fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query, variables, operationName: options.operationName }),
  });
  return (await response.json()) as GraphQLResponse<Data>;
}

/** Executes an operation that must succeed, and returns its data. */
export async function run<Data = any>(query: string, variables?: Record<string, unknown>, options?: ExecuteOptions): Promise<Data> {
  const result = await execute<Data>(query, variables, options);
  if (result.errors) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
  return result.data!;
}
