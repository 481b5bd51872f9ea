import type { RelationKind } from '../../generated/prisma/enums';
import { LRUCache } from 'lru-cache';
import type { CentralityMetric, CentralityScores } from '../graph/centrality';
import type { GraphStatistics } from '../graph/kernels/components';
import { shortestPath } from '../graph/paths';
import type { Party, PartyRef } from '../../db/party';
import { nodeKey, partyOf, partyOfKey } from '../graph/adjacency';
import {
  DEFAULT_RECOMMENDATION_OPTIONS,
  ProviderItemModel,
  type Recommendation,
  type RecommendationOptions,
  type Similar,
  recommendProviders,
  similarConsumers,
  similarProviders,
} from '../graph/recommendations';
import { ALL_KINDS_MASK, type GraphSnapshot, kindMask, nodeFinder, nodesOf, partyAt } from '../graph/snapshot';
import { Communities } from './communities';
import {
  DEFAULT_STRENGTH_SETTINGS,
  type RelationshipStrength,
  type StrengthSettings,
  edgeStrengths,
  providerSpend,
  relationshipStrength,
} from '../graph/strength';
import type { EdgeWeight } from '../graph/weights';
import { EASE_MAX_PROVIDERS } from '../graph/kernels/item-models';
import { PROVIDER } from '../graph/csr';
import {
  DEFAULT_METHOD_OPTIONS,
  type ItemModelMethod,
  type MethodOptions,
  type RecommenderMethod,
  EASE_DEFAULT_MAX_PROVIDERS,
  defaultMethod,
  isItemModelMethod,
} from '../graph/recommender-methods';
import { InvalidInputError } from '../../domain/errors';
import { FairShare } from './fair-share';
import type { GraphProjection } from './projection';
import type { RelationStore } from './store';
import { DEFAULT_RUNNER_LIMITS, type RunnerLimits, WorkerRunner } from './runner';
import type { AnalyticsTask } from './tasks';
import { HOUR_MS, type Interval, type TimeWindow, periodsOf, windowKey } from './window';
import type { WindowGraph, WindowGraphs } from './window-graphs';

export interface AnalyticsSettings {
  /** Past this many nodes, betweenness is estimated from a sample of source nodes. */
  betweennessExactMaxNodes: number;
  /** Past this many nodes, closeness is estimated from a sample of source nodes. */
  closenessExactMaxNodes: number;
  /** Source nodes sampled when betweenness or closeness is estimated. */
  samples: number;
  /** Seeds the random choices (Louvain's node order, betweenness samples) for reproducible answers. */
  seed: string;
  recommendations: Omit<RecommendationOptions, 'first'>;
  /** Hyperparameters of the other recommendation methods (recommender-methods.ts). */
  recommenderMethods: MethodOptions;
  /** Item models (EASE, item-kNN) kept at once, one per method, kinds and window: an EASE model holds 12 bytes per pair of providers. */
  itemModels: number;
  /** EASE is served up to this many providers (at most EASE_MAX_PROVIDERS); past it, item-kNN is the default. */
  easeMaxProviders: number;
  /**
   * An item model is rebuilt in the background (EVENTUAL questions) no sooner than this many
   * times its own build time after it was built: under a steady stream of writes, models take
   * at most that share of a core (EASE at 2,000 providers builds in seconds).
   */
  itemModelRebuildFactor: number;
  /**
   * Any other whole-graph answer is recomputed for EVENTUAL questions no sooner than this many
   * times its last computation's time after that ended: under a steady stream of writes, one
   * question keeps a lane busy at most 1/(1 + factor) of the time, which leaves the cores to
   * requests and the lane free for LATEST questions, at the cost of answers that much staler.
   */
  recomputeFactor: number;
  strength: StrengthSettings;
  /** Questions answered from the cache at one graph version, at most; the oldest go first. */
  cacheEntries: number;
  runner: RunnerLimits;
  /** Whole-graph computations one caller may have running at once, and waiting beyond those. */
  computationsPerCaller: number;
  computationsWaitingPerCaller: number;
  /** Pairs the time-window graphs kept in memory hold together (docs/analytics.md, Time windows). */
  windowGraphPairs: number;
}

export const DEFAULT_ANALYTICS_SETTINGS: AnalyticsSettings = {
  betweennessExactMaxNodes: 2000,
  closenessExactMaxNodes: 5000,
  samples: 256,
  seed: 'rapport',
  recommendations: DEFAULT_RECOMMENDATION_OPTIONS,
  recommenderMethods: DEFAULT_METHOD_OPTIONS,
  itemModels: 4,
  easeMaxProviders: EASE_MAX_PROVIDERS,
  itemModelRebuildFactor: 10,
  recomputeFactor: 1,
  strength: DEFAULT_STRENGTH_SETTINGS,
  cacheEntries: 10_000,
  runner: DEFAULT_RUNNER_LIMITS,
  computationsPerCaller: 2,
  computationsWaitingPerCaller: 16,
  windowGraphPairs: 1_000_000,
};

/**
 * How fresh a whole-graph answer must be. EVENTUAL: answer at once from the last completed
 * computation while one recomputation, covering every write since, runs. LATEST: wait for an
 * answer that includes every write committed before the question.
 */
export const CONSISTENCIES = ['EVENTUAL', 'LATEST'] as const;
export type Consistency = (typeof CONSISTENCIES)[number];

/** Who asks a whole-graph question and how fresh the answer must be. */
export interface Asking {
  consistency: Consistency;
  /** Names the caller whose share of computations this counts against. */
  requester: string;
}

export const INTERNAL: Asking = { consistency: 'LATEST', requester: 'internal' };

/** Item models are built within their own share of computations, whoever asks. */
const ITEM_MODEL_BUILDS: Asking = { consistency: 'EVENTUAL', requester: 'item-models' };

/**
 * Strength decays with time: it is computed as of the start of the current hour, so that it can be
 * cached, or as of a window's end when that is earlier (how strong it was then).
 */
function strengthAsOf(window?: TimeWindow | null): number {
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  return window ? Math.min(hour, window.to) : hour;
}

/** What every analytics answer says about the graph it was computed on. */
export interface Computed {
  graphVersion: number;
  computedAt: Date;
  /** The relations' time window, or null for all time. */
  window: TimeWindow | null;
}

export interface RankedParty extends PartyRef {
  rank: number;
  score: number;
}

/** One side's nodes, best first, and each one's rank (equal scores share one). */
interface Ranking {
  nodes: Int32Array;
  ranks: Int32Array;
}

/**
 * Scores of every node of one snapshot: parties, scores and version all come from that snapshot.
 * A ranking stays typed arrays and an entry is made only for what a question lists: a result
 * lives until the next version's, long enough at 50 writes a second for an object per party to
 * reach the collector's old generation.
 */
export class CentralityResult implements Computed {
  private readonly rankings = new Map<Party, Ranking>();
  private findNode: ((party: Party, id: number) => number) | undefined;

  constructor(
    private readonly snapshot: GraphSnapshot,
    private readonly result: CentralityScores,
    readonly computedAt: Date,
    readonly window: TimeWindow | null,
  ) {}

  get graphVersion() {
    return this.snapshot.version;
  }
  get approximate() {
    return this.result.approximate;
  }
  get sampleSize() {
    return this.result.sampleSize;
  }

  /** The party's place and score, or null when the snapshot does not hold it. */
  rankOf(party: Party, id: number): RankedParty | null {
    const { nodes, ranks } = this.ranking(party);
    const position = nodes.findIndex((node) => this.snapshot.ids[node] === id);
    return position < 0 ? null : this.entry(party, nodes[position], ranks[position]);
  }

  scoreOf(party: Party, id: number): number | null {
    const node = (this.findNode ??= nodeFinder(this.snapshot))(party, id);
    return node < 0 ? null : this.result.scores[node];
  }

  /**
   * Each node's score in `snapshot`'s node order, 0 for a party this result's snapshot does not
   * hold: the result's own scores (not to be changed) when `snapshot` is the one it was computed on.
   */
  scoresOn(snapshot: GraphSnapshot): Float64Array {
    if (snapshot === this.snapshot) return this.result.scores;
    return Float64Array.from(snapshot.ids, (_id, node) => {
      const { party, id } = partyAt(snapshot, node);
      return this.scoreOf(party, id) ?? 0;
    });
  }

  /** The `first` best of one side, highest score first; equal scores share a rank and are ordered by ID. */
  top(party: Party, first: number): RankedParty[] {
    const { nodes, ranks } = this.ranking(party);
    return Array.from(nodes.subarray(0, first), (node, position) => this.entry(party, node, ranks[position]));
  }

  private entry(party: Party, node: number, rank: number): RankedParty {
    return { party, id: this.snapshot.ids[node], score: this.result.scores[node], rank };
  }

  private ranking(party: Party): Ranking {
    const cached = this.rankings.get(party);
    if (cached) return cached;
    const { ids } = this.snapshot;
    const { scores } = this.result;
    const nodes = nodesOf(this.snapshot, party).sort((a, b) => scores[b] - scores[a] || ids[a] - ids[b]);
    const ranks = new Int32Array(nodes.length);
    for (let position = 0; position < nodes.length; position++) {
      const tied = position > 0 && scores[nodes[position - 1]] === scores[nodes[position]];
      ranks[position] = tied ? ranks[position - 1] : position + 1;
    }
    const ranking = { nodes, ranks };
    this.rankings.set(party, ranking);
    return ranking;
  }
}

export type ProviderRecommendation = Recommendation;

/** An item model and the graph version (or window change position) it was built on. */
interface BuiltItemModel extends Computed {
  model: ProviderItemModel;
}

export type SimilarParty = Similar;

export interface Relationship extends RelationshipStrength {
  consumer: PartyRef;
  provider: PartyRef;
  /** The moment strength was computed for. */
  asOf: Date;
  window: TimeWindow | null;
}

/** A provider's relationships, strongest first. */
export interface ProviderRelationships {
  asOf: Date;
  ranked: Relationship[];
  byConsumer: Map<number, Relationship>;
}

export interface CommunityPartition extends Computed {
  modularity: number;
  /** Communities largest first. */
  communities: Communities;
}

/** One point of a provider's history: its place and relations in one period. */
export interface HistoryPoint {
  window: TimeWindow;
  graphVersion: number;
  /** The provider's rank among providers by the metric in that period (equal scores share a rank). */
  rank: number;
  score: number;
  relationCount: number;
}

/** The last completed answer to one whole-graph question, and the computation under way. */
interface Answers<T extends Computed> {
  done?: T;
  running?: Promise<T>;
  /** When the last successful computation ended (Date.now()) and how long it took, in milliseconds. */
  endedAt?: number;
  tookMs?: number;
}

/**
 * The analytics the API serves. Whole-graph questions (centrality, communities, statistics) are
 * computed by worker threads on immutable snapshots and answered from the last completed
 * computation while a newer one runs (see Consistency); per-node questions (recommendations,
 * similar parties, strength) are computed on the current graph, exact, and cached per version,
 * but for EASE and item-kNN recommendations, which score the consumer's current relations with
 * the last item model built (docs/recommendations.md, How each method is served).
 */
export class Analytics {
  readonly runner: WorkerRunner;
  /** Per-node answers at `cacheVersion` of the graph, by question and kinds. */
  private readonly cache: LRUCache<string, Promise<unknown>>;
  private cacheVersion = -1;
  /** Whole-graph answers by question and kinds, across versions. */
  private readonly answers: AnswerPool;
  /** Item models by method, kinds and window, across versions; fewer kept than answers, being large. */
  private readonly itemModels: AnswerPool;
  private readonly shares: FairShare;

  /** `windows` reads time-window graphs from the projection's database; without it, windowed questions fail. */
  constructor(
    readonly projection: GraphProjection,
    private readonly settings: AnalyticsSettings = DEFAULT_ANALYTICS_SETTINGS,
    private readonly windows?: WindowGraphs,
  ) {
    this.runner = new WorkerRunner(settings.runner, cheaperOption);
    this.cache = new LRUCache({ max: settings.cacheEntries });
    this.answers = { answers: new LRUCache({ max: settings.cacheEntries }), recomputeFactor: settings.recomputeFactor };
    this.itemModels = { answers: new LRUCache({ max: settings.itemModels }), recomputeFactor: settings.itemModelRebuildFactor };
    this.shares = new FairShare(settings.computationsPerCaller, settings.computationsWaitingPerCaller);
  }

  centrality(metric: CentralityMetric, kinds: Kinds, weight: EdgeWeight, asking = INTERNAL, window: TimeWindow | null = null) {
    const asOf = weight === 'STRENGTH' ? `:${strengthAsOf(window)}` : '';
    const question = `centrality:${metric}:${weight}:${kindMask(kinds)}${asOf}:${windowKey(window)}`;
    return this.fresh(question, asking, window, async (snapshot, windowed) => {
      const { betweennessExactMaxNodes, closenessExactMaxNodes, samples, seed } = this.settings;
      const options = { metric, weight, betweennessExactMaxNodes, closenessExactMaxNodes, samples, seed };
      const strengths = weight === 'STRENGTH' ? this.edgeStrengths(snapshot, kinds, windowed) : undefined;
      const scores = await this.runner.run(snapshot, { type: 'centrality', options, kinds: kindMask(kinds), strengths });
      return new CentralityResult(snapshot, scores, new Date(), window);
    });
  }

  communities(kinds: Kinds, resolution: number, weight: EdgeWeight, asking = INTERNAL, window: TimeWindow | null = null) {
    const question = `communities:${resolution}:${weight}:${kindMask(kinds)}:${windowKey(window)}`;
    return this.fresh(question, asking, window, async (snapshot): Promise<CommunityPartition> => {
      const options = { resolution, weight, seed: this.settings.seed };
      const task = { type: 'communities', options, kinds: kindMask(kinds) } as const;
      const partition = await this.runner.run(snapshot, task);
      const communities = new Communities(snapshot, partition.membership, partition.sizes);
      return { graphVersion: snapshot.version, computedAt: new Date(), window, modularity: partition.modularity, communities };
    });
  }

  statistics(kinds: Kinds, asking = INTERNAL, window: TimeWindow | null = null) {
    const question = `statistics:${kindMask(kinds)}:${windowKey(window)}`;
    return this.fresh(question, asking, window, async (snapshot): Promise<GraphStatistics & Computed> => ({
      ...(await this.runner.run(snapshot, { type: 'statistics', kinds: kindMask(kinds) })),
      graphVersion: snapshot.version,
      computedAt: new Date(),
      window,
    }));
  }

  /**
   * A provider's rank by `metric` among providers, and its relation count, in each `interval`
   * period overlapping `window` (periodsOf bounds their number), oldest first.
   */
  async providerHistory(providerId: number, metric: CentralityMetric, interval: Interval, window: TimeWindow, asking = INTERNAL) {
    const periods = periodsOf(window, interval);
    const points: HistoryPoint[] = [];
    for (const period of periods) {
      const result = await this.centrality(metric, null, 'NONE', asking, period);
      const ranked = result.rankOf('provider', providerId);
      if (!ranked) continue; // the provider did not exist at that graph version
      const graph = await this.windowGraph(period, result.graphVersion);
      const store = graph.graph;
      const provider = store.nodeOf('provider', providerId);
      let relationCount = 0;
      if (provider !== -1) store.forEachPair(provider, (pair) => (relationCount += store.summary(pair, ALL_KINDS_MASK).count));
      points.push({ window: period, graphVersion: result.graphVersion, rank: ranked.rank, score: ranked.score, relationCount });
    }
    return points;
  }

  /**
   * How many changes the graph has seen since the version an answer was computed on. A windowed
   * answer's version is a change log position (window-graphs.ts), compared with the last one seen.
   */
  changesBehind(answer: Computed): number {
    const current = answer.window ? (this.windows?.latestChange ?? 0) : this.projection.version;
    return Math.max(0, current - answer.graphVersion);
  }

  /**
   * Providers for a consumer to try next, with the reasons (docs/recommendations.md), by `method`
   * (absent: the one the offline evaluation chose). RP3β over all kinds is answered on the live
   * store at once; personalized PageRank and RP3β over some kinds by the worker, on a snapshot;
   * EASE and item-kNN from the last item model the worker built, with the consumer's current row.
   */
  recommendedProviders(
    consumerId: number,
    first: number,
    kinds: Kinds,
    window: TimeWindow | null = null,
    method?: RecommenderMethod | null,
    consistency: Consistency = 'EVENTUAL',
  ) {
    const mask = kindMask(kinds);
    const question = `recommended:${consumerId}:${first}:${mask}:${windowKey(window)}:${method ?? ''}:${consistency}`;
    return this.cached(question, async (): Promise<ProviderRecommendation[]> => {
      const options = { ...this.settings.recommendations, first };
      const store = window ? (await this.windowGraph(window)).graph : this.store();
      const chosen = method ?? this.defaultMethodOf(store);
      if (isItemModelMethod(chosen)) {
        const { model } = await this.itemModel(chosen, mask, window, consistency);
        return model.recommend(store, ownProviders(store, store.nodeOf('consumer', consumerId), mask), options);
      }
      if (chosen === 'RP3BETA' && mask === ALL_KINDS_MASK && !window) return recommendProviders(store, store.nodeOf('consumer', consumerId), options);
      const task = { type: 'recommendations', consumerId, method: chosen, options, methods: this.settings.recommenderMethods, kinds: mask } as const;
      return this.runner.run(await this.snapshotOf(window), task);
    });
  }

  /**
   * Builds, in the background, the item model that the first default recommendation over all
   * kinds would otherwise wait for (seconds at a million relations). The server asks for it once
   * serving; resolves once built, or at once when the default method needs no model.
   */
  async prepareRecommendations(): Promise<void> {
    await this.projection.refresh();
    const chosen = this.defaultMethodOf(this.store());
    if (isItemModelMethod(chosen)) await this.itemModel(chosen, ALL_KINDS_MASK, null, 'EVENTUAL');
  }

  private defaultMethodOf(store: RelationStore): RecommenderMethod {
    return defaultMethod(store.partyCount('provider'), Math.min(this.settings.easeMaxProviders, EASE_DEFAULT_MAX_PROVIDERS));
  }

  /**
   * The item model for the question: EVENTUAL, the last one built (the first one is awaited,
   * later ones are built in the background); LATEST, one built on every write committed so far.
   */
  private itemModel(method: ItemModelMethod, mask: number, window: TimeWindow | null, consistency: Consistency): Promise<BuiltItemModel> {
    const question = `item-model:${method}:${mask}:${windowKey(window)}`;
    return this.fresh(question, { ...ITEM_MODEL_BUILDS, consistency }, window, async (snapshot): Promise<BuiltItemModel> => {
      const providers = snapshot.sides.reduce((count, side) => count + (side === PROVIDER ? 1 : 0), 0);
      const bound = Math.min(this.settings.easeMaxProviders, EASE_MAX_PROVIDERS);
      if (method === 'EASE' && providers > bound) {
        throw InvalidInputError.of('method', `EASE is served up to ${bound} providers and this graph has ${providers}: ask for ITEM_KNN`);
      }
      const task = { type: 'itemModel', method, methods: this.settings.recommenderMethods, kinds: mask } as const;
      const packed = await this.runner.run(snapshot, task);
      return { graphVersion: snapshot.version, computedAt: new Date(), window, model: new ProviderItemModel(packed) };
    }, this.itemModels);
  }

  /** Over a window the worker answers, on the window's graph; over all time the live store, at once. */
  similarProviders(providerId: number, first: number, window: TimeWindow | null = null) {
    return this.similar({ party: 'provider', id: providerId }, first, window);
  }

  similarConsumers(consumerId: number, first: number, window: TimeWindow | null = null) {
    return this.similar({ party: 'consumer', id: consumerId }, first, window);
  }

  private similar(of: PartyRef, first: number, window: TimeWindow | null) {
    return this.cached(`similar:${of.party}:${of.id}:${first}:${windowKey(window)}`, async () => {
      if (window) {
        const task = { type: 'similar', node: nodeKey(of.party, of.id), first, kinds: ALL_KINDS_MASK } as const;
        return this.runner.run(await this.snapshotOf(window), task);
      }
      const store = this.store();
      return (of.party === 'provider' ? similarProviders : similarConsumers)(store, store.nodeOf(of.party, of.id), first);
    });
  }

  /** The strength of each of a provider's relationships, over all relation kinds (in the window's relations only, when given). */
  providerRelationships(providerId: number, window: TimeWindow | null = null): Promise<ProviderRelationships> {
    const asOf = strengthAsOf(window);
    return this.cached(`relationships:${providerId}:${asOf}:${windowKey(window)}`, async () => {
      const store = window ? (await this.windowGraph(window)).graph : this.store();
      const provider = store.nodeOf('provider', providerId);
      if (provider === -1) return { asOf: new Date(asOf), ranked: [], byConsumer: new Map() }; // deleted meanwhile
      const pairs: { consumer: number; pair: number }[] = [];
      store.forEachPair(provider, (pair, consumer) => pairs.push({ consumer, pair }));
      const summaries = pairs.map(({ pair }) => store.summary(pair, ALL_KINDS_MASK));
      const spend = providerSpend(summaries);
      const ranked: Relationship[] = pairs.map(({ consumer }, index) => ({
        ...relationshipStrength(summaries[index], spend, asOf, this.settings.strength),
        consumer: partyOf(store, consumer),
        provider: { party: 'provider', id: providerId },
        asOf: new Date(asOf),
        window,
      }));
      ranked.sort((a, b) => b.score - a.score || a.consumer.id - b.consumer.id);
      return { asOf: new Date(asOf), ranked, byConsumer: new Map(ranked.map((entry) => [entry.consumer.id, entry])) };
    });
  }

  /** True when the projection holds this consumer or provider, that is, when it exists. */
  async has(party: PartyRef): Promise<boolean> {
    await this.projection.refresh();
    return this.store().nodeOf(party.party, party.id) !== -1;
  }

  /** A breadth-first search touches only the nodes near the path: over all kinds, cheap enough for the request thread. */
  async connectionPath(from: PartyRef, to: PartyRef, kinds: readonly RelationKind[] | null | undefined): Promise<PartyRef[] | null> {
    await this.projection.refresh();
    const mask = kindMask(kinds);
    if (mask !== ALL_KINDS_MASK) {
      const task = { type: 'path', from: nodeKey(from.party, from.id), to: nodeKey(to.party, to.id), kinds: mask } as const;
      const path = await this.runner.run(this.projection.snapshot(), task);
      return path && path.map(partyOfKey);
    }
    const store = this.store();
    const path = shortestPath(store, store.nodeOf(from.party, from.id), store.nodeOf(to.party, to.id));
    return path && path.map((node) => partyOf(store, node));
  }

  async close(): Promise<void> {
    await this.runner.close();
  }

  /**
   * Each snapshot edge's strength as of this hour (or the window's end), computed here because it
   * reads the pairs' aggregates: right after a snapshot is taken, before any write, the store's
   * pair p is edge p. A window's store is never written to after its snapshot.
   */
  private edgeStrengths(snapshot: GraphSnapshot, kinds: Kinds, windowed?: WindowGraph): Float64Array {
    const store = windowed?.graph ?? this.store();
    if (!windowed && this.projection.version !== snapshot.version) throw new Error('Edge strengths are read from a store that has moved past the snapshot');
    const mask = kindMask(kinds);
    const table = {
      pairCount: store.size, // no pair is dead right after a snapshot: the store's pairs are its edges
      providerOf: (pair: number) => store.providerOfPair(pair),
      pairsOf: (provider: number) => {
        const pairs: number[] = [];
        store.forEachPair(provider, (pair) => pairs.push(pair));
        return pairs;
      },
      summary: (pair: number) => store.summary(pair, mask),
    };
    return edgeStrengths(table, strengthAsOf(windowed?.window ?? null), this.settings.strength);
  }

  /** The graph of a window, including every change committed so far (or up to change log position `atLeast`). */
  windowGraph(window: TimeWindow, atLeast?: number): Promise<WindowGraph> {
    return this.windowGraphs().graphOf(window, atLeast);
  }

  private windowGraphs(): WindowGraphs {
    if (!this.windows) throw new Error('This Analytics was created without window graphs');
    return this.windows;
  }

  private async snapshotOf(window: TimeWindow | null): Promise<GraphSnapshot> {
    return window ? (await this.windowGraph(window)).snapshot : this.projection.snapshot();
  }

  /**
   * The answer to a whole-graph question as fresh as `asking` needs: the last completed one when
   * that will do, else the one under way, else a new computation on a snapshot taken now. One
   * computation per question runs at a time; it covers every write before it started.
   */
  private async fresh<T extends Computed>(question: string, asking: Asking, window: TimeWindow | null, compute: Compute<T>, pool = this.answers): Promise<T> {
    const version = window ? await this.windowGraphs().currentChange() : await this.projection.refresh().then(() => this.projection.version);
    const answers = this.answersTo<T>(question, pool.answers);
    const { done } = answers;
    if (done && done.graphVersion >= version) return done;
    if (done && asking.consistency === 'EVENTUAL') {
      const due = Date.now() >= (answers.endedAt ?? 0) + pool.recomputeFactor * (answers.tookMs ?? 0);
      if (due && !answers.running && !this.shares.isFull(asking.requester)) this.start(answers, asking, window, compute).catch(() => undefined);
      return done;
    }
    for (;;) {
      const answer = await (answers.running ?? this.start(answers, asking, window, compute));
      if (answer.graphVersion >= version || asking.consistency === 'EVENTUAL') return answer;
    }
  }

  /** Starts the one computation of a question, on a snapshot taken once the caller's share allows. */
  private start<T extends Computed>(answers: Answers<T>, asking: Asking, window: TimeWindow | null, compute: Compute<T>) {
    const running = (async () => {
      const release = await this.shares.acquire(asking.requester);
      const began = performance.now();
      try {
        const windowed = window ? await this.windowGraph(window) : undefined;
        const computed = await compute(windowed?.snapshot ?? this.projection.snapshot(), windowed);
        if (!answers.done || answers.done.graphVersion < computed.graphVersion) answers.done = computed;
        // A failure, often fast, leaves the pace of the last success: it must not quicken retries.
        answers.tookMs = performance.now() - began;
        answers.endedAt = Date.now();
        return computed;
      } finally {
        release();
      }
    })();
    // Registered before any caller awaits it, so a caller that loops finds the slot free.
    void running.finally(() => answers.running === running && (answers.running = undefined)).catch(() => undefined);
    answers.running = running;
    return running;
  }

  private answersTo<T extends Computed>(question: string, all: AnswerPool['answers']): Answers<T> {
    let answers = all.get(question);
    if (!answers) all.set(question, (answers = {}));
    return answers as Answers<T>;
  }

  /** A per-node answer at the current version, computed once per version and question. */
  private async cached<T>(question: string, compute: () => Promise<T>): Promise<T> {
    await this.projection.refresh();
    const { version } = this.projection;
    if (this.cacheVersion !== version) {
      this.cache.clear();
      this.cacheVersion = version;
    }
    const hit = this.cache.get(question);
    if (hit) return hit as Promise<T>;
    const answer = compute();
    this.cache.set(question, answer);
    answer.catch(() => this.cache.peek(question) === answer && this.cache.delete(question));
    return answer;
  }

  /** The live store, as of the last refresh. */
  private store(): RelationStore {
    return this.projection.view().store;
  }
}

type Kinds = readonly RelationKind[] | null | undefined;

/** Where `fresh` keeps the answers to a family of questions, and how often EVENTUAL ones are recomputed. */
interface AnswerPool {
  /** The least recently asked go first. */
  answers: LRUCache<string, Answers<Computed>>;
  /** An EVENTUAL question starts a newer computation this many times the last one's time after it ended. */
  recomputeFactor: number;
}

/** A consumer's providers with relations of the kinds in `mask`. */
function ownProviders(store: RelationStore, consumer: number, mask: number): number[] {
  const own: number[] = [];
  if (consumer !== -1) store.forEachPair(consumer, (pair, provider) => store.summary(pair, mask).count > 0 && own.push(provider));
  return own;
}

/** Computes a whole-graph answer on a snapshot (of a window's graph, when `windowed` is given). */
type Compute<T> = (snapshot: GraphSnapshot, windowed?: WindowGraph) => Promise<T>;

/** What to ask instead of a computation that ran out of time. */
function cheaperOption(task: AnalyticsTask): string {
  if (task.type === 'itemModel') return 'ask for method ITEM_KNN, whose model is sparse and cheap to build, or RP3BETA.';
  if (task.type === 'communities') return 'ask for a subset of relation kinds, or retry later: the computation is heavy at this size.';
  if (task.type === 'centrality' && ['BETWEENNESS', 'CLOSENESS', 'EIGENVECTOR'].includes(task.options.metric)) {
    return 'ask for PAGERANK or DEGREE, which scale to the whole graph, or for a subset of relation kinds.';
  }
  return 'retry later, or ask for a subset of relation kinds.';
}
