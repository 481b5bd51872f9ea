import { db } from '../../src/db/client';
import { run } from './graphql';

/** Selections valid on every mutation result: its type and, for errors, the message. */
export const ERROR_FIELDS = `__typename ... on Error { message }`;

let sequence = 0;

export async function createConsumer(input: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  sequence++;
  const data = await run(
    `mutation ($input: CreateConsumerInput!) {
      createConsumer(input: $input) { ${ERROR_FIELDS} ... on CreateConsumerSuccess { consumer { id name } } }
    }`,
    { input: { name: `Consumer ${sequence}`, email: `consumer${sequence}@example.com`, ...input } },
  );
  if (!data.createConsumer.consumer) throw new Error(JSON.stringify(data.createConsumer));
  return data.createConsumer.consumer;
}

export async function createProvider(input: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  sequence++;
  const data = await run(
    `mutation ($input: CreateProviderInput!) {
      createProvider(input: $input) { ${ERROR_FIELDS} ... on CreateProviderSuccess { provider { id name } } }
    }`,
    { input: { name: `Provider ${sequence}`, contactEmail: `provider${sequence}@example.com`, category: 'misc', ...input } },
  );
  if (!data.createProvider.provider) throw new Error(JSON.stringify(data.createProvider));
  return data.createProvider.provider;
}

export const RECORD_RELATION = `mutation ($input: RecordRelationInput!) {
  recordRelation(input: $input) {
    ${ERROR_FIELDS}
    ... on InvalidInputError { issues { field message } }
    ... on NotFoundError { field entity }
    ... on RecordRelationSuccess { relation { id kind occurredAt amountMinor currency rating comment } }
  }
}`;

export async function recordRelation(input: Record<string, unknown>): Promise<{ id: string; occurredAt: string }> {
  const data = await run(RECORD_RELATION, { input });
  if (!data.recordRelation.relation) throw new Error(JSON.stringify(data.recordRelation));
  return data.recordRelation.relation;
}

export const purchase = (consumerId: string, providerId: string, extra: Record<string, unknown> = {}) =>
  recordRelation({ consumerId, providerId, kind: 'PURCHASE', amountMinor: 1000, currency: 'EUR', ...extra });

/** Every row of every table, to prove that a refused write changed nothing. */
export async function databaseSnapshot() {
  const [consumers, providers, relations] = await Promise.all([
    db().consumer.findMany({ orderBy: { id: 'asc' } }),
    db().provider.findMany({ orderBy: { id: 'asc' } }),
    db().relation.findMany({ orderBy: { id: 'asc' } }),
  ]);
  // Rows read through the PII extension are proxies; plain copies compare by value.
  return { consumers: consumers.map((consumer) => Object.fromEntries(Object.entries(consumer))), providers, relations };
}
