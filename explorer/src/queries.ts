/** The operations the explorer sends; each is an ordinary query of the public schema (schema.graphql). */

export const VIEWER = `query ExplorerViewer { viewer { role provider { id name } consumer { id name } } }`;

export const OVERVIEW = `query ExplorerOverview($metric: CentralityMetric!, $consistency: Consistency, $limit: Int!) {
  graphOverview(limit: $limit, metric: $metric, consistency: $consistency) {
    graphVersion changesBehind aggregated totalNodes totalEdges communityCount
    nodes { key community score consumerCount providerCount party { __typename ... on Consumer { id name } ... on Provider { id name } } }
    edges { source target weight }
  }
}`;

export const COMMUNITY = `query ExplorerCommunity($metric: CentralityMetric!, $community: Int!, $limit: Int!) {
  graphOverview(limit: $limit, metric: $metric, community: $community) {
    aggregated
    nodes { key community score consumerCount providerCount party { __typename ... on Consumer { id name } ... on Provider { id name } } }
    edges { source target weight }
  }
}`;

export const SEARCH = `query ExplorerSearch($text: String!) {
  providers(first: 8, filter: { nameContains: $text }) { edges { node { id name } } }
  consumers(first: 8, filter: { nameContains: $text }) { edges { node { id name } } }
}`;

export const PROVIDER_TIES = `query ExplorerProviderTies($id: ID!, $after: String) {
  provider(id: $id) {
    id name
    relationships(first: 20, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { strength segment consumer { id name } } }
    }
  }
}`;

export const CONSUMER_TIES = `query ExplorerConsumerTies($id: ID!, $after: String) {
  consumer(id: $id) {
    id name
    providers(first: 20, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id name relationshipWith(consumerId: $id) { strength segment } } }
    }
  }
}`;

const COMPONENTS = `components { recency frequency monetary sentiment }`;

export const PROVIDER_DETAILS = `query ExplorerProvider($id: ID!, $metric: CentralityMetric!, $admin: Boolean!) {
  provider(id: $id) {
    id name category website
    score: centrality(metric: $metric)
    similarProviders(first: 5) { similarity provider { id name } }
    relationships(first: 5) { edges { node { strength segment consumer { id name } ${COMPONENTS} } } }
  }
  providerRanking(metric: $metric, first: 100) @include(if: $admin) { entries { rank provider { id } } }
}`;

export const PROVIDER_HISTORY = `query ExplorerProviderHistory($id: ID!, $metric: CentralityMetric!, $window: WindowInput!) {
  provider(id: $id) {
    id
    history(metric: $metric, interval: WEEK, window: $window) { window { from to } rank relationCount }
  }
}`;

export const CONSUMER_DETAILS = `query ExplorerConsumer($id: ID!, $provider: ID!, $withProvider: Boolean!) {
  consumer(id: $id) {
    id name
    recommendedProviders(first: 5) {
      score basis explanation provider { id name }
      reasons { sharedConsumers contribution provider { name } }
    }
    relationshipWith(providerId: $provider) @include(if: $withProvider) { strength segment relationCount provider { name } ${COMPONENTS} }
  }
}`;

export const SEGMENTS = `query ExplorerSegments { segments { id name memberCount } }`;

export const SEGMENT_MEMBERS = `query ExplorerSegmentMembers($id: ID!, $after: String) {
  segment(id: $id) {
    id name memberCount
    members(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } }
  }
}`;

export const GRAPH_CHANGED = `subscription ExplorerGraphChanged { graphChanged { at } }`;
export const RELATION_RECORDED = `subscription ExplorerRelationRecorded($providerId: ID!) { relationRecorded(providerId: $providerId) { id } }`;
