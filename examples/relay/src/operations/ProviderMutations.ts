import { graphql } from 'relay-runtime';

// Read by relay-compiler only (see ProviderList.ts). Mutations answer a union of a success type and
// typed errors: select `__typename` and each type you handle. Relay updates the records the result
// names by `id`; @deleteRecord removes the deleted one from the store.

export const create = graphql`
  mutation ProviderMutationsCreateMutation($input: CreateProviderInput!) {
    createProvider(input: $input) {
      __typename
      ... on CreateProviderSuccess {
        provider {
          id
          name
        }
      }
      ... on InvalidInputError {
        issues {
          field
          message
        }
      }
    }
  }
`;

export const rename = graphql`
  mutation ProviderMutationsRenameMutation($id: ID!, $name: String!) {
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

export const remove = graphql`
  mutation ProviderMutationsDeleteMutation($id: ID!) {
    deleteProvider(id: $id) {
      __typename
      ... on Deletion {
        deletedId @deleteRecord
      }
      ... on Error {
        message
      }
    }
  }
`;
