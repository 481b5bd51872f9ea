/** What GraphiQL opens with: a tour of the API on the demo data. */
export const EXAMPLE_QUERY = `# Welcome to Rapport. Press the run button (or Ctrl+Enter) to try this query.
# The Docs panel on the left lists every type, query and mutation.
# Two operations: pick Overview or Insights with the run button's menu.

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

query Insights {
  providerRanking(metric: PAGERANK, first: 3) {
    graphVersion
    entries { rank score provider { name } }
  }
  consumers(first: 2) {
    edges {
      node {
        name
        recommendedProviders(first: 2) { provider { name } basis explanation }
      }
    }
  }
  communities { modularity count }
}
`;
