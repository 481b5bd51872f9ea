import { gql, type TypedDocumentNode } from '@apollo/client';

export interface ProviderSummary {
  __typename: 'Provider';
  id: string;
  name: string;
}

export const PROVIDERS_PAGE: TypedDocumentNode<
  { providers: { edges: { cursor: string; node: ProviderSummary }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } },
  { first: number; after?: string | null; filter?: { category?: string } }
> = gql`
  query ProvidersPage($first: Int!, $after: String, $filter: ProviderFilter) {
    providers(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
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

export const NODE: TypedDocumentNode<{ node: ProviderSummary | null }, { id: string }> = gql`
  query Node($id: ID!) {
    node(id: $id) {
      id
      ... on Provider {
        name
      }
    }
  }
`;

export const CREATE_CONSUMER: TypedDocumentNode<
  {
    createConsumer:
      | { __typename: 'CreateConsumerSuccess'; consumer: { id: string; name: string } }
      | { __typename: 'InvalidInputError'; message: string; issues: { field: string; message: string }[] }
      | { __typename: 'ConflictError'; message: string; field: string };
  },
  { input: { name: string; email: string } }
> = gql`
  mutation CreateConsumer($input: CreateConsumerInput!) {
    createConsumer(input: $input) {
      __typename
      ... on CreateConsumerSuccess {
        consumer {
          id
          name
        }
      }
      ... on Error {
        message
      }
      ... on InvalidInputError {
        issues {
          field
          message
        }
      }
      ... on ConflictError {
        field
      }
    }
  }
`;

export const RENAME_PROVIDER: TypedDocumentNode<
  { updateProvider: { __typename: 'UpdateProviderSuccess'; provider: ProviderSummary } | { __typename: string; message: string } },
  { id: string; name: string }
> = gql`
  mutation RenameProvider($id: ID!, $name: String!) {
    updateProvider(id: $id, input: { name: $name }) {
      __typename
      ... on UpdateProviderSuccess {
        provider {
          id
          name
        }
      }
      ... on Error {
        message
      }
    }
  }
`;

export const CREATE_PROVIDER: TypedDocumentNode<
  { createProvider: { __typename: 'CreateProviderSuccess'; provider: ProviderSummary } | { __typename: string; message: string } },
  { input: { name: string; contactEmail: string; category: string } }
> = gql`
  mutation CreateProvider($input: CreateProviderInput!) {
    createProvider(input: $input) {
      __typename
      ... on CreateProviderSuccess {
        provider {
          id
          name
        }
      }
      ... on Error {
        message
      }
    }
  }
`;

export const DELETE_PROVIDER: TypedDocumentNode<
  { deleteProvider: { __typename: 'Deletion'; deletedId: string } | { __typename: string; message: string } },
  { id: string }
> = gql`
  mutation DeleteProvider($id: ID!) {
    deleteProvider(id: $id) {
      __typename
      ... on Deletion {
        deletedId
      }
      ... on Error {
        message
      }
    }
  }
`;
