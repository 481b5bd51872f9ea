import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { getIntrospectedSchema, minifyIntrospectionQuery } from '@urql/introspection';
import { type RequestParams, createClient as createSSEClient } from 'graphql-sse';

export interface RapportSettings {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql; subscriptions use the same URL. */
  url: string;
  /** An API key (rpk_…); without one, only the public provider directory answers. */
  apiKey?: string;
  /** Rapport's schema.graphql (SDL), for graphcache to know interfaces, unions and key-less types. */
  schema: string;
  /** Told when the subscription stream is open (graphql-sse's `connected`). */
  onSubscriptionConnected?: () => void;
}

type MinifiedSchema = ReturnType<typeof minifyIntrospectionQuery>;

/**
 * graphcache keys objects by `id`, which Rapport's IDs (global, unique across types) suit. Object
 * types without one (rankings, statistics, connections, edges, ...) are values: embedded in their parent.
 */
function valueTypes(schema: MinifiedSchema): Record<string, () => null> {
  const keyless = schema.__schema.types.filter(
    (type) => type.kind === 'OBJECT' && !type.fields.some((field) => field.name === 'id') && !type.name.startsWith('__'),
  );
  return Object.fromEntries(keyless.map((type) => [type.name, () => null]));
}

export function createClient({ url, apiKey, schema: sdl, onSubscriptionConnected }: RapportSettings): Client {
  const schema = minifyIntrospectionQuery(getIntrospectedSchema(sdl));
  // urql sends queries as GET when they fit in a URL. Rapport (like any graphql-yoga server with
  // CSRF prevention) accepts a GET only with an Authorization or an x-graphql-yoga-csrf header.
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : { 'x-graphql-yoga-csrf': 'urql' };
  // Subscriptions are Server-Sent Events on the same /graphql URL (graphql-sse, one connection each).
  const sse = createSSEClient({ url, headers, on: { connected: () => onSubscriptionConnected?.() } });
  return new Client({
    url,
    fetchOptions: { headers },
    exchanges: [
      cacheExchange({
        schema,
        keys: valueTypes(schema),
        // Each list's pages merge into one, per filter and order.
        resolvers: { Query: { providers: relayPagination(), consumers: relayPagination(), relations: relayPagination() } },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: sse.subscribe(request as RequestParams, sink) }),
        }),
      }),
    ],
  });
}
