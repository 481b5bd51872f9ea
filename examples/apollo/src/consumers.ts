import type { ApolloClient } from '@apollo/client';
import { CREATE_CONSUMER } from './operations.ts';

export type CreateConsumerOutcome =
  | { ok: true; id: string }
  | { ok: false; reason: 'invalid'; fields: string[] }
  | { ok: false; reason: 'taken'; field: string; message: string };

/**
 * Rapport's mutations answer a union of a success type and typed errors, not GraphQL errors:
 * the `__typename` says which, and each error type carries what the user needs to fix it.
 */
export async function createConsumer(client: ApolloClient, input: { name: string; email: string }): Promise<CreateConsumerOutcome> {
  const { data } = await client.mutate({ mutation: CREATE_CONSUMER, variables: { input } });
  const result = data!.createConsumer;
  switch (result.__typename) {
    case 'CreateConsumerSuccess':
      return { ok: true, id: result.consumer.id };
    case 'InvalidInputError':
      return { ok: false, reason: 'invalid', fields: result.issues.map((issue) => issue.field) };
    case 'ConflictError':
      return { ok: false, reason: 'taken', field: result.field, message: result.message };
  }
}
