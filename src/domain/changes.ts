import type { Relation } from '../generated/prisma/client';

/**
 * Relation changes that derived state (the analytics graph projection) must follow.
 * The domain publishes after each committed write; listeners run synchronously, so once a
 * mutation has returned, every listener has seen its change (read-your-writes).
 */
export type RelationChange =
  | { type: 'recorded'; relation: Relation }
  | { type: 'removed'; relations: Relation[] };

type Listener = (change: RelationChange) => void;

const listeners = new Set<Listener>();

export function onRelationChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function publish(change: RelationChange): void {
  for (const listener of listeners) listener(change);
}
