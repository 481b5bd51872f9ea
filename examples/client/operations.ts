import { graphql } from './generated';

export const FindConsumer = graphql(`
  query FindConsumer($name: String!) {
    consumers(first: 1, filter: { nameContains: $name }) {
      edges { node { id name email } }
    }
  }
`);

export const FindProvider = graphql(`
  query FindProvider($name: String!) {
    providers(first: 1, filter: { nameContains: $name }) {
      edges { node { id name category } }
    }
  }
`);

export const RecordPurchase = graphql(`
  mutation RecordPurchase($consumerId: ID!, $providerId: ID!, $amountMinor: Int!, $currency: String!, $occurredAt: DateTime!) {
    recordRelation(
      input: {
        consumerId: $consumerId
        providerId: $providerId
        kind: PURCHASE
        amountMinor: $amountMinor
        currency: $currency
        occurredAt: $occurredAt
      }
    ) {
      __typename
      ... on RecordRelationSuccess { relation { id kind amountMinor currency occurredAt } }
      ... on InvalidInputError { message issues { field message } }
      ... on Error { message }
    }
  }
`);

export const Recommendations = graphql(`
  query Recommendations($consumerId: ID!, $first: Int!) {
    consumer(id: $consumerId) {
      name
      recommendedProviders(first: $first) {
        score
        basis
        explanation
        provider { id name }
      }
    }
  }
`);
