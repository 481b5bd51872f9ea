/** A party to relations: a consumer or a provider. The one name for it in every layer. */
export type Party = 'consumer' | 'provider';

export const PARTIES: readonly Party[] = ['consumer', 'provider'];

/** One consumer or provider, by its database ID. */
export interface PartyRef {
  party: Party;
  id: number;
}
