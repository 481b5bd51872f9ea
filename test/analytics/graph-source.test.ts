import { config } from '../../src/config';
import { type GraphSnapshotVisitor, readGraphSnapshot } from '../../src/db/graph-source';
import { createConsumer } from '../../src/domain/consumers';
import { createProvider } from '../../src/domain/providers';
import { recordRelation } from '../../src/domain/relations';
import { onPostgres } from '../support/test-database';

// A build from SQLite learns how many consumer–provider pairs are coming before the first
// relation, exactly when it reads every relation: the store is sized once, not grown as rows come
// and then shrunk by copying every column again.

/** What a build is told, in order: reservations and the pairs of the relations it receives. */
function recordingVisitor() {
  const reserved: number[] = [];
  const pairs = new Set<string>();
  let relations = 0;
  const received = (consumerId: number, providerId: number) => {
    relations++;
    pairs.add(`${consumerId}-${providerId}`);
  };
  const visitor: GraphSnapshotVisitor = {
    party: () => {},
    reserve: (count) => void reserved.push(count),
    relation: ({ consumerId, providerId }) => received(consumerId, providerId),
    relations: (batch) => {
      for (let row = 0; row < batch.size; row++) received(batch.consumerIds[row], batch.providerIds[row]);
    },
  };
  return { visitor, reserved, pairs, relationCount: () => relations };
}

(onPostgres ? it.skip : it)('reserves room for exactly the pairs a whole read holds, and for at most the relations of a range', async () => {
  const consumers = await Promise.all([1, 2, 3].map((n) => createConsumer({ name: `c${n}`, email: `c${n}@example.com` })));
  const providers = await Promise.all([1, 2].map((n) => createProvider({ name: `p${n}`, contactEmail: `p${n}@example.com`, category: 'x' })));
  const day = (n: number) => new Date(Date.UTC(2026, 0, n));
  // Seven relations over four pairs: repeats of a pair, of a kind, and on other days.
  const relations: [number, number, number][] = [[0, 0, 1], [0, 0, 2], [0, 1, 3], [1, 0, 3], [1, 0, 4], [2, 1, 5], [2, 1, 5]];
  for (const [consumer, provider, on] of relations) {
    await recordRelation({ consumerId: consumers[consumer].id, providerId: providers[provider].id, kind: 'FAVORITE', occurredAt: day(on) });
  }

  const whole = recordingVisitor();
  await readGraphSnapshot(config().databaseUrl, whole.visitor);
  expect(whole.relationCount()).toBe(7);
  expect(whole.pairs.size).toBe(4);
  expect(whole.reserved).toEqual([4]);

  // A range is bounded by its relations: counting its pairs would cost a sort.
  const range = recordingVisitor();
  await readGraphSnapshot(config().databaseUrl, range.visitor, { from: day(3).getTime(), to: day(5).getTime() });
  expect(range.relationCount()).toBe(3);
  expect(range.pairs.size).toBe(2);
  expect(range.reserved).toEqual([3]);
});
