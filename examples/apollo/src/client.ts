import { ApolloClient, HttpLink, InMemoryCache, defaultDataIdFromObject } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { buildSchema, isAbstractType } from 'graphql';

export interface RapportSettings {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** An API key (rpk_…): the admin key printed at the server's first start, or one from `npm run key`. */
  apiKey: string;
  /** Rapport's schema.graphql (SDL), for the cache to match fragments on interfaces and unions. */
  schema: string;
}

/**
 * For each interface and union, its object types: InMemoryCache needs them to match fragments
 * such as `... on Error` or `... on Node`. A browser app would generate this object at build time.
 */
export function possibleTypesOf(sdl: string): Record<string, string[]> {
  const schema = buildSchema(sdl);
  return Object.fromEntries(
    Object.values(schema.getTypeMap())
      .filter(isAbstractType)
      .map((type) => [type.name, schema.getPossibleTypes(type).map((possible) => possible.name)]),
  );
}

export function createClient({ url, apiKey, schema }: RapportSettings) {
  const cache = new InMemoryCache({
    possibleTypes: possibleTypesOf(schema),
    // Rapport's IDs are global: unique across types. So an object's ID alone is its cache key,
    // the same whether it came from provider(id:), node(id:) or a list. Objects without an ID
    // (statistics, rankings, ...) stay inside their parent, as by default.
    dataIdFromObject: (object) => (typeof object.id === 'string' ? object.id : defaultDataIdFromObject(object)),
    typePolicies: {
      Query: {
        fields: {
          // Pages of a connection merge into one list per filter and order.
          providers: relayStylePagination(['filter', 'orderBy']),
          consumers: relayStylePagination(['filter', 'orderBy']),
          relations: relayStylePagination(['filter', 'orderBy']),
          // node(id:) and provider(id:) can be answered from the cache when the object is in it.
          node: { read: (_existing, { args, toReference }) => toReference(args?.id as string) },
          provider: { read: (_existing, { args, toReference }) => toReference(args?.id as string) },
        },
      },
    },
  });
  // POST with a JSON body. With `useGETForQueries: true`, an anonymous client would also need
  // the header x-graphql-yoga-csrf (Rapport refuses GETs without it or Authorization).
  const link = new HttpLink({ uri: url, headers: { authorization: `Bearer ${apiKey}` } });
  return new ApolloClient({ link, cache });
}
