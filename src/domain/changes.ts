import type { Relation } from '../generated/prisma/client';

export type Party = 'consumer' | 'provider';

/**
 * Committed writes that derived state (the analytics graph projection) must follow. The domain
 * publishes after each commit and waits for every listener, so once a mutation has returned,
 * its change is visible to the next read of derived state (read-your-writes).
 */
export type Change =
  | { type: 'relationRecorded'; relation: Relation }
  | { type: 'relationsRemoved'; relations: Relation[] }
  | { type: 'partyCreated'; party: Party; id: number }
  | { type: 'partyDeleted'; party: Party; id: number };

type Listener = (change: Change) => void | Promise<void>;

const listeners = new Set<Listener>();

export function onChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function publish(change: Change): Promise<void> {
  for (const listener of listeners) await listener(change);
}
