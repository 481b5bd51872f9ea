import { lastChangeId } from '../../src/db/change-log';
import { config } from '../../src/config';
import { WindowGraphs } from '../../src/analytics/serving/window-graphs';
import { createConsumer, createProvider, recordRelation } from '../support/factories';

// Window graphs are kept by the pairs they hold together, least recently used first out.

const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2024, 0, 1);
const day = (n: number) => ({ from: START + n * DAY, to: START + (n + 1) * DAY });

beforeAll(async () => {
  // Day n holds n + 1 pairs.
  for (let n = 0; n < 3; n++) {
    for (let pair = 0; pair <= n; pair++) {
      const [consumer, provider] = await Promise.all([createConsumer(), createProvider()]);
      await recordRelation({ consumerId: consumer.id, providerId: provider.id, kind: 'FAVORITE', occurredAt: new Date(START + n * DAY + 3_600_000).toISOString() });
    }
  }
});

it('keeps windows while their pairs fit the budget, and drops the least recently used past it', async () => {
  const windows = new WindowGraphs(config().databaseUrl, 3, lastChangeId);
  const size = async (n: number) => (await windows.graphOf(day(n))).graph.size;

  expect([await size(0), await size(1)]).toEqual([1, 2]);
  expect(windows.builds).toBe(2);
  expect(await size(0)).toBe(1); // kept; now the most recently used
  expect(windows.builds).toBe(2);

  expect(await size(2)).toBe(3); // 1 + 2 + 3 > 3: day 1, least recently used, goes; then day 0
  expect(windows.builds).toBe(3);
  expect(await size(2)).toBe(3); // the last read is kept, larger than the budget as it is
  expect(windows.builds).toBe(3);
  await size(0);
  await size(1);
  expect(windows.builds).toBe(5);
});

it('keeps a whole history of small windows at once', async () => {
  const windows = new WindowGraphs(config().databaseUrl, 6, lastChangeId);
  for (const n of [0, 1, 2, 0, 1, 2]) await windows.graphOf(day(n));
  expect(windows.builds).toBe(3);
});
