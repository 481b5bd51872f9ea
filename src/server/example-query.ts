import { encodeGlobalID } from '@pothos/plugin-relay';

/** What GraphiQL opens with: a tour of the API on the demo data, one tab per feature. */
export const EXAMPLE_QUERY = `# Welcome to Rapport. Press the run button (or Ctrl+Enter) to try this query.
# The Docs panel on the left lists every type, query and mutation; more examples are in the tabs.
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

// The demo data's first consumer (Ada Lovelace) and first provider (Northwind Groceries).
const demoConsumerId = encodeGlobalID('Consumer', 1);
const demoProviderId = encodeGlobalID('Provider', 1);

const EXAMPLE_MUTATION = `# Record a purchase: the variables below name a consumer and a provider of the demo data.
# Mutations answer with a success type or a typed error, all with a message.

mutation RecordPurchase($consumerId: ID!, $providerId: ID!) {
  recordRelation(input: { consumerId: $consumerId, providerId: $providerId, kind: PURCHASE, amountMinor: 1999, currency: "EUR" }) {
    __typename
    ... on RecordRelationSuccess { relation { id kind amountMinor currency occurredAt consumer { name } provider { name } } }
    ... on InvalidInputError { issues { field message } }
    ... on Error { message }
  }
}
`;

const EXAMPLE_MUTATION_VARIABLES = JSON.stringify({ consumerId: demoConsumerId, providerId: demoProviderId }, null, 2);

const EXAMPLE_SUBSCRIPTION = `# Live updates over Server-Sent Events. Run this, then record a purchase in the previous tab:
# it appears here as it is recorded.

subscription LiveRelations {
  relationRecorded(providerId: "${demoProviderId}") {
    kind
    amountMinor
    currency
    occurredAt
    consumer { name }
  }
}
`;

export const EXAMPLE_TABS = [
  { query: EXAMPLE_QUERY },
  { query: EXAMPLE_MUTATION, variables: EXAMPLE_MUTATION_VARIABLES },
  { query: EXAMPLE_SUBSCRIPTION },
];
