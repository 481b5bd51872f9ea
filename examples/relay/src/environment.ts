import { Environment, type FetchFunction, Network, RecordSource, Store } from 'relay-runtime';

export interface RapportSettings {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** An API key (rpk_…): the admin key printed at the server's first start, or one from `npm run key`. */
  apiKey: string;
}

/**
 * A Relay environment for Rapport. Queries and mutations go as POST with a JSON body; the
 * Authorization header carries the key. Rapport's IDs are global (unique across types), as
 * Relay's store requires, and `node(id:)` answers null for an ID that names nothing.
 */
export function createEnvironment({ url, apiKey }: RapportSettings): Environment {
  const fetchGraphQL: FetchFunction = async (request, variables) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${apiKey}`,
      },
      body: JSON.stringify({ query: request.text, variables }),
    });
    return response.json();
  };
  return new Environment({ network: Network.create(fetchGraphQL), store: new Store(new RecordSource()) });
}
