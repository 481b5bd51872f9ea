import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import { db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import { AuthenticationError, type Caller, ForbiddenError, describeCaller } from './caller';

/**
 * The scopes fields and types ask for (src/schema). docs/security.md says who holds which.
 * - `authenticated`: any valid API key;
 * - `admin`: the platform operator;
 * - `provider: id` / `consumer: id`: the caller is that provider / consumer;
 * - `providerOf: consumerId`: the caller is a provider the consumer has a relation with.
 */
export interface AuthScopes {
  authenticated: boolean;
  admin: boolean;
  provider: number;
  consumer: number;
  providerOf: number;
}

/** The consumers among `consumerIds` with at least one relation with the provider. */
async function customersAmong(providerId: number, consumerIds: readonly number[]): Promise<boolean[]> {
  const rows = await db().relation.findMany({
    where: { providerId, consumerId: { in: [...consumerIds] } },
    select: { consumerId: true },
    distinct: ['consumerId'],
  });
  const customers = new Set(rows.map((row) => row.consumerId));
  return consumerIds.map((id) => customers.has(id));
}

export function scopesFor(caller: Caller) {
  const customers =
    caller.role === 'PROVIDER' ? new DataLoader((ids: readonly number[]) => customersAmong(caller.providerId, ids)) : null;
  return {
    authenticated: caller.role !== 'ANONYMOUS',
    admin: caller.role === 'ADMIN',
    provider: (id: number) => caller.role === 'PROVIDER' && caller.providerId === id,
    consumer: (id: number) => caller.role === 'CONSUMER' && caller.consumerId === id,
    providerOf: async (consumerId: number) => (customers ? customers.load(consumerId) : false),
  };
}

/** A refusal that says who was refused what: anonymous callers are told to authenticate. */
export function refusal(caller: Caller, info: GraphQLResolveInfo): Error {
  const what = `${info.parentType.name}.${info.fieldName}`;
  if (caller.role === 'ANONYMOUS') {
    return new AuthenticationError(`${what} needs an API key: send the header "Authorization: Bearer <key>"`);
  }
  return new ForbiddenError(`${what} is not available to ${describeCaller(caller)} (see docs/security.md)`);
}

/** The relations a caller may list: all for an admin, else only its own. */
export function visibleRelations(caller: Caller): Prisma.RelationWhereInput {
  if (caller.role === 'PROVIDER') return { providerId: caller.providerId };
  if (caller.role === 'CONSUMER') return { consumerId: caller.consumerId };
  return caller.role === 'ADMIN' ? {} : { id: { in: [] } };
}

/** The consumers with at least one relation with the provider. */
export function customersOf(providerId: number): Prisma.ConsumerWhereInput {
  return { relations: { some: { providerId } } };
}

/** The consumers a caller may list: all for an admin, a provider's own customers, a consumer itself. */
export function visibleConsumers(caller: Caller): Prisma.ConsumerWhereInput {
  if (caller.role === 'PROVIDER') return customersOf(caller.providerId);
  if (caller.role === 'CONSUMER') return { id: caller.consumerId };
  return caller.role === 'ADMIN' ? {} : { id: { in: [] } };
}
