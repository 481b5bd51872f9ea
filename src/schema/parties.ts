import { partiesByIds } from '../db/rows';
import { InvalidInputError } from '../domain/errors';
import type { Party, PartyRef } from '../db/party';
import type { Consumer, Provider } from '../generated/prisma/client';
import { builder } from './builder';
import { ConsumerNode } from './consumer';
import { parseId } from './ids';
import { ProviderNode } from './provider';

/** Consumers and providers as nodes of the relation graph, between IDs, graph parties and rows. */

export const PartyUnion = builder.unionType('Party', {
  description: 'A consumer or a provider: a node of the relation graph.',
  types: [ConsumerNode, ProviderNode],
  // Only providers have a contact email; Prisma rows carry no type name.
  resolveType: (entity) => ('contactEmail' in entity ? ProviderNode : ConsumerNode),
});

export type Entity = Consumer | Provider;

/**
 * The consumers and providers named by `parties`, loaded in two queries, in the order asked.
 * One deleted since the graph version was computed is left out.
 */
export async function loadParties(parties: PartyRef[]): Promise<{ party: PartyRef; entity: Entity }[]> {
  const idsOf = (side: Party) => parties.filter((party) => party.party === side).map((party) => party.id);
  // Every analytics answer loads its parties: through the driver, not Prisma's per-query planning.
  const { consumers, providers } = await partiesByIds(idsOf('consumer'), idsOf('provider'));
  const found = {
    consumer: new Map<number, Entity>(consumers.map((consumer) => [consumer.id, consumer])),
    provider: new Map<number, Entity>(providers.map((provider) => [provider.id, provider])),
  };
  return parties.flatMap((party) => {
    const entity = found[party.party].get(party.id);
    return entity ? [{ party, entity }] : [];
  });
}

export const entityName = (party: PartyRef) => (party.party === 'consumer' ? 'Consumer' : 'Provider');

/** Decodes the global ID of a consumer or a provider into a graph node. */
export function partyOf(globalId: string, field: string): PartyRef {
  for (const [typename, party] of [['Consumer', 'consumer'], ['Provider', 'provider']] as const) {
    try {
      return { party, id: parseId(globalId, typename, field) };
    } catch {
      // try the other type
    }
  }
  throw InvalidInputError.of(field, 'must be the ID of a Consumer or a Provider');
}

