/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query FindConsumer($name: String!) {\n    consumers(first: 1, filter: { nameContains: $name }) {\n      edges { node { id name email } }\n    }\n  }\n": typeof types.FindConsumerDocument,
    "\n  query FindProvider($name: String!) {\n    providers(first: 1, filter: { nameContains: $name }) {\n      edges { node { id name category } }\n    }\n  }\n": typeof types.FindProviderDocument,
    "\n  mutation RecordPurchase($consumerId: ID!, $providerId: ID!, $amountMinor: Int!, $currency: String!, $occurredAt: DateTime!) {\n    recordRelation(\n      input: {\n        consumerId: $consumerId\n        providerId: $providerId\n        kind: PURCHASE\n        amountMinor: $amountMinor\n        currency: $currency\n        occurredAt: $occurredAt\n      }\n    ) {\n      __typename\n      ... on RecordRelationSuccess { relation { id kind amountMinor currency occurredAt } }\n      ... on InvalidInputError { message issues { field message } }\n      ... on Error { message }\n    }\n  }\n": typeof types.RecordPurchaseDocument,
    "\n  query Recommendations($consumerId: ID!, $first: Int!) {\n    consumer(id: $consumerId) {\n      name\n      recommendedProviders(first: $first) {\n        score\n        basis\n        explanation\n        provider { id name }\n      }\n    }\n  }\n": typeof types.RecommendationsDocument,
};
const documents: Documents = {
    "\n  query FindConsumer($name: String!) {\n    consumers(first: 1, filter: { nameContains: $name }) {\n      edges { node { id name email } }\n    }\n  }\n": types.FindConsumerDocument,
    "\n  query FindProvider($name: String!) {\n    providers(first: 1, filter: { nameContains: $name }) {\n      edges { node { id name category } }\n    }\n  }\n": types.FindProviderDocument,
    "\n  mutation RecordPurchase($consumerId: ID!, $providerId: ID!, $amountMinor: Int!, $currency: String!, $occurredAt: DateTime!) {\n    recordRelation(\n      input: {\n        consumerId: $consumerId\n        providerId: $providerId\n        kind: PURCHASE\n        amountMinor: $amountMinor\n        currency: $currency\n        occurredAt: $occurredAt\n      }\n    ) {\n      __typename\n      ... on RecordRelationSuccess { relation { id kind amountMinor currency occurredAt } }\n      ... on InvalidInputError { message issues { field message } }\n      ... on Error { message }\n    }\n  }\n": types.RecordPurchaseDocument,
    "\n  query Recommendations($consumerId: ID!, $first: Int!) {\n    consumer(id: $consumerId) {\n      name\n      recommendedProviders(first: $first) {\n        score\n        basis\n        explanation\n        provider { id name }\n      }\n    }\n  }\n": types.RecommendationsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FindConsumer($name: String!) {\n    consumers(first: 1, filter: { nameContains: $name }) {\n      edges { node { id name email } }\n    }\n  }\n"): (typeof documents)["\n  query FindConsumer($name: String!) {\n    consumers(first: 1, filter: { nameContains: $name }) {\n      edges { node { id name email } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FindProvider($name: String!) {\n    providers(first: 1, filter: { nameContains: $name }) {\n      edges { node { id name category } }\n    }\n  }\n"): (typeof documents)["\n  query FindProvider($name: String!) {\n    providers(first: 1, filter: { nameContains: $name }) {\n      edges { node { id name category } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordPurchase($consumerId: ID!, $providerId: ID!, $amountMinor: Int!, $currency: String!, $occurredAt: DateTime!) {\n    recordRelation(\n      input: {\n        consumerId: $consumerId\n        providerId: $providerId\n        kind: PURCHASE\n        amountMinor: $amountMinor\n        currency: $currency\n        occurredAt: $occurredAt\n      }\n    ) {\n      __typename\n      ... on RecordRelationSuccess { relation { id kind amountMinor currency occurredAt } }\n      ... on InvalidInputError { message issues { field message } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation RecordPurchase($consumerId: ID!, $providerId: ID!, $amountMinor: Int!, $currency: String!, $occurredAt: DateTime!) {\n    recordRelation(\n      input: {\n        consumerId: $consumerId\n        providerId: $providerId\n        kind: PURCHASE\n        amountMinor: $amountMinor\n        currency: $currency\n        occurredAt: $occurredAt\n      }\n    ) {\n      __typename\n      ... on RecordRelationSuccess { relation { id kind amountMinor currency occurredAt } }\n      ... on InvalidInputError { message issues { field message } }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Recommendations($consumerId: ID!, $first: Int!) {\n    consumer(id: $consumerId) {\n      name\n      recommendedProviders(first: $first) {\n        score\n        basis\n        explanation\n        provider { id name }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Recommendations($consumerId: ID!, $first: Int!) {\n    consumer(id: $consumerId) {\n      name\n      recommendedProviders(first: $first) {\n        score\n        basis\n        explanation\n        provider { id name }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;