import { generateRelationStore } from '../../src/bulk/synthetic-platform';
import { CONSUMER, PROVIDER } from '../../src/analytics/graph/csr';
import * as update from '../../src/analytics/graph/kernels/pagerank-update';
import { pagerank } from '../../src/analytics/graph/kernels/pagerank';
import { ALL_KINDS_MASK, edgeCounts } from '../../src/analytics/graph/snapshot';
import { runTask } from '../../src/analytics/serving/tasks';
import { expectClose } from './kernels/random-graphs';

// The worker's PageRank on the platform `npm run db:seed` makes of a million relations: after one
// new pair it updates the last answer's state instead of computing (on smaller graphs one write
// is too large a change at the tolerance, and it computes), and answers as a computation does.

const task = {
  type: 'centrality' as const,
  kinds: ALL_KINDS_MASK,
  options: { metric: 'PAGERANK' as const, weight: 'COUNT' as const, betweennessExactMaxNodes: 0, closenessExactMaxNodes: 0, samples: 0, seed: 'carried' },
};

// Generating a million relations takes seconds, more on a loaded machine.
it('after one new pair on the 1M-relation platform, the worker updates the last PageRank and answers as a computation does', () => {
  const store = generateRelationStore({ relations: 1_000_000 });
  const updates = jest.spyOn(update, 'updatePagerank');
  runTask(store.snapshot('carried:1', 1), task);

  const consumer = store.idOf(firstNode(store.nodeBound, (node) => store.sideOf(node) === CONSUMER));
  const provider = store.idOf(firstNode(store.nodeBound, (node) => store.sideOf(node) === PROVIDER && store.pairOf(consumer, store.idOf(node)) < 0));
  store.relation({ consumerId: consumer, providerId: provider, kind: 'FAVORITE', occurredAt: Date.UTC(2025, 5, 1), amountMinor: null, currency: null, rating: null });
  const after = store.snapshot('carried:2', 2);
  const { scores } = runTask(after, task);

  expect(updates).toHaveBeenCalledTimes(1);
  expect(updates.mock.results[0].value).not.toBeNull();
  expectClose(scores, pagerank(after.csr, { weights: edgeCounts(after, ALL_KINDS_MASK), colours: after.sides }).scores, 2e-6);
}, 120_000);

function firstNode(bound: number, wanted: (node: number) => boolean): number {
  for (let node = 0; node < bound; node++) if (wanted(node)) return node;
  throw new Error('no such node');
}
