import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export class GraphQLRequestError extends Error {}

/** Where Rapport serves, and the API key (`Authorization: Bearer …`) the app acts with. */
export interface Endpoint {
  url: string;
  apiKey?: string;
}

/**
 * Sends one typed operation over HTTP (GraphQL over HTTP, JSON) and returns its typed data:
 * the variables and the result are checked by the compiler against schema.graphql.
 */
export async function request<Result, Variables>(
  { url, apiKey }: Endpoint,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) {
    const messages = body.errors?.map((error) => error.message).join('; ') ?? `HTTP ${response.status}`;
    throw new GraphQLRequestError(messages);
  }
  return body.data;
}
