import { graphql } from 'relay-runtime';

// relay-compiler reads these documents and writes their artifacts to src/__generated__/.
// In a React app babel-plugin-relay turns each `graphql` tag into its artifact; this example runs
// in plain Node, so src/ imports the artifacts directly and nothing imports this file.

export const query = graphql`
  query ProviderListQuery($first: Int!, $filter: ProviderFilter) {
    ...ProviderList_query @arguments(first: $first, filter: $filter)
  }
`;

export const fragment = graphql`
  fragment ProviderList_query on Query
  @argumentDefinitions(first: { type: "Int!" }, after: { type: "String" }, filter: { type: "ProviderFilter" })
  @refetchable(queryName: "ProviderListPaginationQuery") {
    providers(first: $first, after: $after, filter: $filter) @connection(key: "ProviderList_providers", filters: ["filter"]) {
      edges {
        node {
          id
          name
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
