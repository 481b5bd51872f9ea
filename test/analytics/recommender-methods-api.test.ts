import seedrandom from 'seedrandom';
import { CONSUMER, PROVIDER, csrFromEdges } from '../../src/analytics/graph/csr';
import { EASE_MAX_PROVIDERS, type ScoredNode, nodeModel, scoreByItemModel } from '../../src/analytics/graph/kernels/item-models';
import { EASE_DEFAULT_MAX_PROVIDERS, RECOMMENDER_METHODS, type RecommenderMethod, csrRecommender, defaultMethod, packedItemModel } from '../../src/analytics/graph/recommender-methods';
import { parseGlobalId } from '../../src/schema/ids';
import { config } from '../../src/config';
import { lastChangeId } from '../../src/db/change-log';
import { db } from '../../src/db/client';
import { driver } from '../../src/db/driver';
import { GraphProjection } from '../../src/analytics/serving/projection';
import { Analytics, DEFAULT_ANALYTICS_SETTINGS } from '../../src/analytics/serving/service';
import { WindowGraphs } from '../../src/analytics/serving/window-graphs';
import { createConsumer, createProvider, recordRelation } from '../support/factories';
import { execute, keyFor, run } from '../support/graphql';

// Each recommendation method through the API against its kernel on a graph built here from the
// relations this test wrote (not from the server's projection), for the consumer asking.

const CONSUMERS = 24;
const PROVIDERS = 8;
const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);
const WINDOW = { from: new Date(START).toISOString(), to: new Date(START + 30 * DAY).toISOString() };

interface Written {
  consumer: number;
  provider: number;
  kind: 'PURCHASE' | 'FAVORITE';
  at: number;
}

const consumerIds: string[] = [];
const providerIds: string[] = [];
const written: Written[] = [];
const numberOf = (globalId: string) => parseGlobalId(globalId, 'id').id;

async function write(relation: Written) {
  const { consumer, provider, kind, at } = relation;
  const amount = kind === 'PURCHASE' ? { amountMinor: 1000, currency: 'EUR' } : {};
  await recordRelation({ consumerId: consumerIds[consumer], providerId: providerIds[provider], kind, occurredAt: new Date(at).toISOString(), ...amount });
  written.push(relation);
}

// Two taste groups of providers (0–3, 4–7), each consumer mostly in one, some across.
beforeAll(async () => {
  for (let index = 0; index < CONSUMERS; index++) consumerIds.push((await createConsumer({ name: `c${index}` })).id);
  for (let index = 0; index < PROVIDERS; index++) providerIds.push((await createProvider({ name: `p${index}` })).id);
  const random = seedrandom('methods');
  for (let consumer = 0; consumer < CONSUMERS; consumer++) {
    const group = consumer % 2 === 0 ? 0 : 4;
    const chosen = new Set<number>();
    while (chosen.size < 3) chosen.add(random() < 0.8 ? group + Math.floor(random() * 4) : Math.floor(random() * PROVIDERS));
    for (const provider of chosen) {
      const kind = random() < 0.7 ? 'PURCHASE' : 'FAVORITE';
      await write({ consumer, provider, kind, at: START + Math.floor(random() * 60) * DAY });
    }
  }
});

/**
 * The graph of the written relations that pass `keep`, as the kernels read it: consumers are
 * nodes 0 … CONSUMERS − 1, providers the next PROVIDERS, `ids` their database IDs.
 */
function graphOf(keep: (relation: Written) => boolean = () => true) {
  const pairs = new Set(written.filter(keep).map(({ consumer, provider }) => `${consumer}:${provider}`));
  const ends = [...pairs].map((pair) => pair.split(':').map(Number));
  const csr = csrFromEdges(
    CONSUMERS + PROVIDERS,
    Int32Array.from(ends, ([consumer]) => consumer),
    Int32Array.from(ends, ([, provider]) => CONSUMERS + provider),
  );
  const sides = Uint8Array.from({ length: CONSUMERS + PROVIDERS }, (_, node) => (node < CONSUMERS ? CONSUMER : PROVIDER));
  const ids = Int32Array.from({ length: CONSUMERS + PROVIDERS }, (_, node) =>
    numberOf(node < CONSUMERS ? consumerIds[node] : providerIds[node - CONSUMERS]),
  );
  return { csr, sides, ids };
}

const RECOMMENDED = `query ($id: ID!, $method: RecommenderMethod, $kinds: [RelationKind!], $window: WindowInput, $first: Int, $consistency: Consistency) {
  consumer(id: $id) {
    recommendedProviders(first: $first, method: $method, kinds: $kinds, window: $window, consistency: $consistency) {
      provider { id name } score basis explanation
      reasons { provider { id name } sharedConsumers contribution }
    }
  }
}`;

interface Answer {
  provider: { id: string; name: string };
  score: number;
  basis: string;
  explanation: string;
  reasons: { provider: { id: string; name: string }; sharedConsumers: number; contribution: number }[];
}

async function recommended(consumer: number, variables: Record<string, unknown>, key?: string): Promise<Answer[]> {
  const data = await run(RECOMMENDED, { id: consumerIds[consumer], first: 5, ...variables }, { key });
  return data.consumer.recommendedProviders;
}

/** Provider IDs with scores to 9 digits, best first and by ID among equal ones: sums in another order differ in the last bits. */
const canonical = (entries: { id: number; score: number }[]) =>
  entries.map(({ id, score }) => ({ id, score: Number(score.toPrecision(9)) })).sort((a, b) => b.score - a.score || a.id - b.id);

function fromApi(answers: Answer[]) {
  return canonical(answers.filter((entry) => entry.basis === 'COLLABORATIVE').map((entry) => ({ id: numberOf(entry.provider.id), score: entry.score })));
}

function fromKernel(scored: ScoredNode[], ids: Int32Array, scale = 1) {
  return canonical(scored.map((entry) => ({ id: ids[entry.node], score: entry.score * scale })));
}

/** RP3β as an item model scores the walk times the consumer's own provider count (item-models.ts). */
function kernelAnswer(method: RecommenderMethod, consumer: number, graph = graphOf()) {
  const scored = csrRecommender(graph.csr, graph.sides, method)(consumer, { first: 5, reasons: 3, ids: graph.ids });
  const own = graph.csr.offsets[consumer + 1] - graph.csr.offsets[consumer];
  return { scored, expected: fromKernel(scored, graph.ids, method === 'RP3BETA' ? 1 / own : 1) };
}

describe.each(RECOMMENDER_METHODS)('recommendedProviders(method: %s)', (method) => {
  it('answers what the kernel answers for the consumer asking, with reasons naming providers and shared consumers', async () => {
    for (const consumer of [0, 1, 5]) {
      const key = await keyFor('CONSUMER', consumerIds[consumer]);
      const answers = await recommended(consumer, { method }, key);
      const { scored, expected } = kernelAnswer(method, consumer);
      expect(expected.length).toBeGreaterThan(0);
      expect(fromApi(answers)).toEqual(expected);
      expect(answers.map((entry) => entry.score)).toEqual([...answers.map((entry) => entry.score)].sort((a, b) => b - a));

      // An admin sees every reason (a consumer, none under the small-count threshold).
      const asAdmin = await recommended(consumer, { method });
      for (const entry of asAdmin.filter((answer) => answer.basis === 'COLLABORATIVE')) {
        const kernel = scored.find((item) => graphOf().ids[item.node] === numberOf(entry.provider.id))!;
        const reasons = kernel.reasons.map((reason) => [graphOf().ids[reason.provider], reason.sharedConsumers]);
        expect(entry.reasons.map((reason) => [numberOf(reason.provider.id), reason.sharedConsumers])).toEqual(reasons);
        expect(entry.reasons.length).toBeGreaterThan(0);
        for (const reason of entry.reasons) expect(entry.explanation).toContain(`${reason.provider.name} (${reason.sharedConsumers} shared)`);
      }
    }
  });

  it('lets a consumer ask only for itself', async () => {
    const key = await keyFor('CONSUMER', consumerIds[0]);
    const other = await execute(RECOMMENDED, { id: consumerIds[1], method }, { key });
    expect(other.data?.consumer).toBeNull(); // another consumer is invisible to it
    const own = await execute(RECOMMENDED, { id: consumerIds[0], method }, { key });
    expect(own.data?.consumer.recommendedProviders.length).toBe(5);
  });
});

describe.each(['EASE', 'ITEM_KNN'] as const)('%s over kinds and windows', (method) => {
  it('builds its model on the kinds asked about', async () => {
    const graph = graphOf((relation) => relation.kind === 'PURCHASE');
    const consumer = [...Array(CONSUMERS).keys()].find((node) => graph.csr.offsets[node + 1] - graph.csr.offsets[node] >= 2)!;
    const answers = await recommended(consumer, { method, kinds: ['PURCHASE'] });
    expect(fromApi(answers)).toEqual(kernelAnswer(method, consumer, graph).expected);
  });

  it('builds its model on the window’s relations', async () => {
    const inWindow = (relation: Written) => relation.at >= Date.parse(WINDOW.from) && relation.at < Date.parse(WINDOW.to);
    const graph = graphOf(inWindow);
    const consumer = [...Array(CONSUMERS).keys()].find((node) => graph.csr.offsets[node + 1] - graph.csr.offsets[node] >= 2)!;
    const answers = await recommended(consumer, { method, window: WINDOW });
    expect(fromApi(answers)).toEqual(kernelAnswer(method, consumer, graph).expected);
  });
});

describe('the served item model', () => {
  it('answers a write at once with the consumer’s new row on the last model; LATEST with the model rebuilt', async () => {
    const consumer = 2;
    const before = graphOf();
    expect(fromApi(await recommended(consumer, { method: 'EASE' }))).toEqual(kernelAnswer('EASE', consumer, before).expected);

    const own = new Set(before.csr.neighbors.subarray(before.csr.offsets[consumer], before.csr.offsets[consumer + 1]));
    const added = [...Array(PROVIDERS).keys()].find((provider) => !own.has(CONSUMERS + provider))!;
    await write({ consumer, provider: added, kind: 'PURCHASE', at: START });

    // The model of the version before the write, scored with the consumer's row after it.
    const oldModel = nodeModel(packedItemModel(before.csr, before.sides, 'EASE'), before.csr.nodeCount);
    const stale = scoreByItemModel(oldModel, new Set([...own, CONSUMERS + added]), { first: 5, reasons: 3, ids: before.ids });
    const answers = await recommended(consumer, { method: 'EASE' });
    expect(answers.map((entry) => numberOf(entry.provider.id))).not.toContain(numberOf(providerIds[added]));
    expect(fromApi(answers)).toEqual(fromKernel(stale, before.ids));

    // LATEST waits for a model that includes the write.
    const latest = await recommended(consumer, { method: 'EASE', consistency: 'LATEST' });
    expect(fromApi(latest)).toEqual(kernelAnswer('EASE', consumer).expected);
  });
});

describe('recommendations prepared at start', () => {
  it('builds the default method’s item model ahead, so the first default recommendation waits for no build', async () => {
    const { databaseUrl } = config();
    const analytics = new Analytics(new GraphProjection(databaseUrl, db(), driver()), DEFAULT_ANALYTICS_SETTINGS, new WindowGraphs(databaseUrl, 1, lastChangeId));
    try {
      await analytics.prepareRecommendations();
      expect(analytics.runner.tasksRun).toBe(1);
      const consumer = numberOf(consumerIds[2]);
      const byDefault = await analytics.recommendedProviders(consumer, 5, null);
      expect(analytics.runner.tasksRun).toBe(1);
      expect(byDefault).toEqual(await analytics.recommendedProviders(consumer, 5, null, null, defaultMethod(PROVIDERS)));
      expect(analytics.runner.tasksRun).toBe(1);
    } finally {
      await analytics.close();
    }
  });
});

describe('past EASE’s provider bound', () => {
  it('defaults to item-kNN, and refuses EASE with an error naming ITEM_KNN', async () => {
    expect(defaultMethod(EASE_DEFAULT_MAX_PROVIDERS)).toBe('EASE');
    expect(defaultMethod(EASE_DEFAULT_MAX_PROVIDERS + 1)).toBe('ITEM_KNN');
    expect(EASE_DEFAULT_MAX_PROVIDERS).toBeLessThan(EASE_MAX_PROVIDERS); // asked for by name, EASE goes further
    const { databaseUrl } = config();
    const settings = { ...DEFAULT_ANALYTICS_SETTINGS, easeMaxProviders: PROVIDERS - 1 };
    const bounded = new Analytics(new GraphProjection(databaseUrl, db(), driver()), settings, new WindowGraphs(databaseUrl, 1, lastChangeId));
    try {
      const consumer = numberOf(consumerIds[1]);
      await expect(bounded.recommendedProviders(consumer, 5, null, null, 'EASE')).rejects.toThrow(
        `Invalid input: method: EASE is served up to ${PROVIDERS - 1} providers and this graph has ${PROVIDERS}: ask for ITEM_KNN`,
      );
      const byDefault = await bounded.recommendedProviders(consumer, 5, null, null, null, 'LATEST');
      const itemKnn = await bounded.recommendedProviders(consumer, 5, null, null, 'ITEM_KNN', 'LATEST');
      expect(byDefault).toEqual(itemKnn);
      expect(fromApi(await recommended(1, { method: 'EASE' }))).not.toEqual(fromApi(await recommended(1, { method: 'ITEM_KNN' })));
    } finally {
      await bounded.close();
    }
  });
});

describe('whole-graph answers under writes', () => {
  /** After one write, EVENTUAL rankings asked every 50 ms for `waitMs`: how many versions the last answer moved, and the tasks run. */
  async function eventualRecomputations(recomputeFactor: number, waitMs: number): Promise<{ versionsAhead: number; tasks: number }> {
    const { databaseUrl } = config();
    const analytics = new Analytics(new GraphProjection(databaseUrl, db(), driver()), { ...DEFAULT_ANALYTICS_SETTINGS, recomputeFactor });
    const eventually = { consistency: 'EVENTUAL', requester: 'test' } as const;
    try {
      const first = await analytics.centrality('PAGERANK', null, 'COUNT', eventually);
      const computed = analytics.runner.tasksRun;
      await write({ consumer: 4, provider: 6, kind: 'FAVORITE', at: START });
      let last = await analytics.centrality('PAGERANK', null, 'COUNT', eventually);
      expect(last.graphVersion).toBe(first.graphVersion); // answered at once, from the last computation
      for (const until = Date.now() + waitMs; last.graphVersion === first.graphVersion && Date.now() < until; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        last = await analytics.centrality('PAGERANK', null, 'COUNT', eventually);
      }
      return { versionsAhead: last.graphVersion - first.graphVersion, tasks: analytics.runner.tasksRun - computed };
    } finally {
      await analytics.close();
    }
  }

  it('recomputes for EVENTUAL questions once the last computation has rested recomputeFactor times its duration', async () => {
    expect(await eventualRecomputations(0, 20_000)).toEqual({ versionsAhead: 1, tasks: 1 });
    // Not due for a billion times its duration: the old answer stands.
    expect(await eventualRecomputations(1e9, 300)).toEqual({ versionsAhead: 0, tasks: 0 });
  });
});

describe('item models under writes', () => {
  it('answers from the last model until its rebuild is due, and LATEST from one that includes the write', async () => {
    const { databaseUrl } = config();
    const settings = { ...DEFAULT_ANALYTICS_SETTINGS, itemModelRebuildFactor: 1e9 };
    const analytics = new Analytics(new GraphProjection(databaseUrl, db(), driver()), settings, new WindowGraphs(databaseUrl, 1, lastChangeId));
    try {
      const consumer = numberOf(consumerIds[2]);
      await analytics.recommendedProviders(consumer, 5, null, null, 'ITEM_KNN');
      const built = analytics.runner.tasksRun;
      await write({ consumer: 3, provider: 5, kind: 'FAVORITE', at: START });
      await analytics.recommendedProviders(consumer, 5, null, null, 'ITEM_KNN');
      await new Promise((resolve) => setTimeout(resolve, 300)); // time enough for a rebuild, were one started
      expect(analytics.runner.tasksRun).toBe(built); // not due for a billion times its build time
      await analytics.recommendedProviders(consumer, 5, null, null, 'ITEM_KNN', 'LATEST');
      expect(analytics.runner.tasksRun).toBe(built + 1);
    } finally {
      await analytics.close();
    }
  });
});
