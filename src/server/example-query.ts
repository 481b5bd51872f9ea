/** What GraphiQL opens with: a tour of the API on the demo data. */
export const EXAMPLE_QUERY = `# Welcome to Rapport. Press the run button (or Ctrl+Enter) to try this query.
# The Docs panel on the left lists every type, query and mutation.

query Overview {
  providers(first: 5, orderBy: { field: NAME }) {
    totalCount
    edges {
      node {
        id
        name
        category
        stats {
          relationCount
          distinctConsumers
          averageRating
          revenue { currency amountMinor }
        }
        relations(first: 3, filter: { kinds: [REVIEW] }) {
          edges { node { rating comment consumer { name } } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;
