import { type TypedDocumentNode, gql } from '@urql/core';

type Page<Node> = { edges: { node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

export const PROVIDERS: TypedDocumentNode<
  { providers: Page<{ id: string; name: string }> },
  { first: number; after?: string | null; filter?: { category?: string } }
> = gql`
  query Providers($first: Int!, $after: String, $filter: ProviderFilter) {
    providers(first: $first, after: $after, filter: $filter) {
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

export const RELATION_RECORDED: TypedDocumentNode<
  { relationRecorded: { id: string; kind: string; amountMinor: number | null; consumer: { id: string; name: string } } },
  { providerId: string }
> = gql`
  subscription RelationRecorded($providerId: ID!) {
    relationRecorded(providerId: $providerId) {
      id
      kind
      amountMinor
      consumer {
        id
        name
      }
    }
  }
`;

export const CREATE_PROVIDER: TypedDocumentNode<
  { createProvider: { __typename: string; provider?: { id: string }; message?: string } },
  { input: { name: string; contactEmail: string; category: string } }
> = gql`
  mutation CreateProvider($input: CreateProviderInput!) {
    createProvider(input: $input) {
      __typename
      ... on CreateProviderSuccess {
        provider {
          id
        }
      }
      ... on Error {
        message
      }
    }
  }
`;

export const CREATE_CONSUMER: TypedDocumentNode<
  { createConsumer: { __typename: string; consumer?: { id: string }; message?: string } },
  { input: { name: string; email: string } }
> = gql`
  mutation CreateConsumer($input: CreateConsumerInput!) {
    createConsumer(input: $input) {
      __typename
      ... on CreateConsumerSuccess {
        consumer {
          id
        }
      }
      ... on Error {
        message
      }
    }
  }
`;

export const RECORD_PURCHASE: TypedDocumentNode<
  { recordRelation: { __typename: string; relation?: { id: string }; message?: string } },
  { consumerId: string; providerId: string; amountMinor: number }
> = gql`
  mutation RecordPurchase($consumerId: ID!, $providerId: ID!, $amountMinor: Int!) {
    recordRelation(input: { consumerId: $consumerId, providerId: $providerId, kind: PURCHASE, amountMinor: $amountMinor, currency: "EUR" }) {
      __typename
      ... on RecordRelationSuccess {
        relation {
          id
        }
      }
      ... on Error {
        message
      }
    }
  }
`;
