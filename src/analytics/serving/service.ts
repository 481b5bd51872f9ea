import type { RelationKind } from '../../generated/prisma/enums';
import type { CentralityMetric, CentralityScores } from '../graph/centrality';
import type { Communities } from '../graph/communities';
import { type RelationGraph, type Side, nodeKey, summarizePair } from '../graph/relation-graph';
import { type GraphView, GraphProjection } from './projection';
import { WorkerRunner } from './runner';
import { type GraphStatistics, shortestPath } from '../graph/statistics';
import {
  DEFAULT_RECOMMENDATION_OPTIONS,
  type RecommendationOptions,
  recommendProviders,
  similarConsumers,
  similarProviders,
} from '../graph/recommendations';
import {
  DEFAULT_STRENGTH_SETTINGS,
  type RelationshipStrength,
  type StrengthSettings,
  edgeStrengths,
  providerSpend,
  relationshipStrength,
} from '../graph/strength';
import type { AnalyticsTask, TaskResult } from './tasks';
import type { EdgeWeight } from '../graph/weights';

export interface AnalyticsSettings {
  /** Past this many nodes, betweenness is estimated from a sample of source nodes. */
  betweennessExactMaxNodes: number;
  betweennessSamples: number;
  /** Seeds the random choices (Louvain's node order, betweenness samples) for reproducible answers. */
  seed: string;
  recommendations: Omit<RecommendationOptions, 'first'>;
  strength: StrengthSettings;
  /** Questions answered from the cache at one graph version, at most; the oldest go first. */
  cacheEntries: number;
}

export const DEFAULT_ANALYTICS_SETTINGS: AnalyticsSettings = {
  betweennessExactMaxNodes: 2000,
  betweennessSamples: 256,
  seed: 'rapport',
  recommendations: DEFAULT_RECOMMENDATION_OPTIONS,
  strength: DEFAULT_STRENGTH_SETTINGS,
  cacheEntries: 10_000,
};

const HOUR_MS = 60 * 60 * 1000;

/** Strength decays with time: it is computed as of the start of the current hour, so that it can be cached. */
function strengthAsOf(): number {
  return Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
}

/** What every analytics answer says about the graph it was computed on. */
export interface Computed {
  graphVersion: number;
  computedAt: Date;
}

export interface Party {
  party: Side;
  id: number;
}

export interface RankedParty extends Party {
  rank: number;
  score: number;
}

export class CentralityResult implements Computed {
  private readonly rankings = new Map<Side, RankedParty[]>();

  constructor(
    private readonly view: GraphView,
    private readonly result: CentralityScores,
    readonly computedAt: Date,
  ) {}

  get graphVersion() {
    return this.view.version;
  }
  get approximate() {
    return this.result.approximate;
  }
  get sampleSize() {
    return this.result.sampleSize;
  }

  scoreOf(party: Side, id: number): number | null {
    const key = nodeKey(party, id);
    if (!this.view.graph.hasNode(key)) return null;
    return this.result.scores[this.indexOf(key)];
  }

  /** The `first` best of one side, highest score first; equal scores share a rank and are ordered by ID. */
  top(party: Side, first: number): RankedParty[] {
    return this.ranking(party).slice(0, first);
  }

  private ranking(party: Side): RankedParty[] {
    let ranking = this.rankings.get(party);
    if (ranking) return ranking;
    const entries: RankedParty[] = [];
    let index = 0;
    this.view.graph.forEachNode((_node, attributes) => {
      if (attributes.side === party) entries.push({ party, id: attributes.id, score: this.result.scores[index], rank: 0 });
      index++;
    });
    entries.sort((a, b) => b.score - a.score || a.id - b.id);
    entries.forEach((entry, position) => {
      entry.rank = position > 0 && entries[position - 1].score === entry.score ? entries[position - 1].rank : position + 1;
    });
    ranking = entries;
    this.rankings.set(party, ranking);
    return ranking;
  }

  private nodeIndex: Map<string, number> | undefined;
  private indexOf(key: string): number {
    this.nodeIndex ??= new Map(this.view.graph.nodes().map((node, index) => [node, index]));
    return this.nodeIndex.get(key)!;
  }
}

export interface ProviderRecommendation {
  provider: Party;
  score: number;
  basis: 'COLLABORATIVE' | 'POPULAR';
  consumers: number;
  reasons: { provider: Party; sharedConsumers: number; contribution: number }[];
}

export interface SimilarParty {
  party: Party;
  similarity: number;
  shared: number;
}

export interface Relationship extends RelationshipStrength {
  consumer: Party;
  provider: Party;
  /** The moment strength was computed for. */
  asOf: Date;
}

/** A provider's relationships, strongest first. */
export interface ProviderRelationships {
  asOf: Date;
  ranked: Relationship[];
  byConsumer: Map<number, Relationship>;
}

export interface CommunityPartition extends Computed {
  modularity: number;
  /** Communities largest first; each lists its members in the graph's node order. */
  communities: { index: number; members: Party[] }[];
}

/**
 * The analytics the API serves: computed on the projection's current graph by a worker thread,
 * cached per graph version, kinds and parameters, so a repeated question costs a lookup.
 */
export class Analytics {
  readonly runner = new WorkerRunner();
  /** Answers at `cacheVersion` of the graph, by question and kinds. */
  private readonly cache = new Map<string, Promise<unknown>>();
  private cacheVersion = -1;

  constructor(
    readonly projection: GraphProjection,
    private readonly settings: AnalyticsSettings = DEFAULT_ANALYTICS_SETTINGS,
  ) {}

  centrality(metric: CentralityMetric, kinds: readonly RelationKind[] | null | undefined, weight: EdgeWeight) {
    return this.cached(`centrality:${metric}:${weight}`, kinds, async (view) => {
      const { betweennessExactMaxNodes, betweennessSamples, seed } = this.settings;
      const options = { metric, weight, betweennessExactMaxNodes, betweennessSamples, seed };
      const task = { type: 'centrality', options } as const;
      const scores =
        weight === 'STRENGTH'
          ? await this.runner.run(`${view.key}:strength`, view.graph, task, await this.edgeStrengths(kinds))
          : await this.run(view, task);
      return new CentralityResult(view, scores, new Date());
    });
  }

  /** Providers for a consumer to try next, with the reasons (docs/recommendations.md). */
  recommendedProviders(consumerId: number, first: number, kinds: readonly RelationKind[] | null | undefined) {
    return this.cached(`recommended:${consumerId}:${first}`, kinds, async (view): Promise<ProviderRecommendation[]> => {
      const options = { ...this.settings.recommendations, first };
      return recommendProviders(view.graph, nodeKey('consumer', consumerId), options).map((recommendation) => ({
        ...recommendation,
        provider: partyAt(view.graph, recommendation.provider),
        reasons: recommendation.reasons.map((reason) => ({ ...reason, provider: partyAt(view.graph, reason.provider) })),
      }));
    });
  }

  similarProviders(providerId: number, first: number) {
    return this.cached(`similarProviders:${providerId}:${first}`, null, async (view) =>
      toParties(view.graph, similarProviders(view.graph, nodeKey('provider', providerId), first)),
    );
  }

  similarConsumers(consumerId: number, first: number) {
    return this.cached(`similarConsumers:${consumerId}:${first}`, null, async (view) =>
      toParties(view.graph, similarConsumers(view.graph, nodeKey('consumer', consumerId), first)),
    );
  }

  /** The strength of each of a provider's relationships, over all relation kinds. */
  providerRelationships(providerId: number): Promise<ProviderRelationships> {
    const asOf = strengthAsOf();
    return this.cached(`relationships:${providerId}:${asOf}`, null, async (view) => {
      const provider = nodeKey('provider', providerId);
      if (!view.graph.hasNode(provider)) return { asOf: new Date(asOf), ranked: [], byConsumer: new Map() }; // deleted meanwhile
      const spend = providerSpend(view.graph, provider);
      const ranked: Relationship[] = view.graph.mapEdges(provider, (_edge, attributes, source, target) => {
        const consumer = partyAt(view.graph, source === provider ? target : source);
        const strength = relationshipStrength(summarizePair(attributes), spend, asOf, this.settings.strength);
        return { ...strength, consumer, provider: { party: 'provider', id: providerId }, asOf: new Date(asOf) };
      });
      ranked.sort((a, b) => b.score - a.score || a.consumer.id - b.consumer.id);
      return { asOf: new Date(asOf), ranked, byConsumer: new Map(ranked.map((entry) => [entry.consumer.id, entry])) };
    });
  }

  /** True when the projection holds this consumer or provider, that is, when it exists. */
  async has(party: Party): Promise<boolean> {
    await this.projection.refresh();
    return this.projection.view().graph.hasNode(nodeKey(party.party, party.id));
  }

  communities(kinds: readonly RelationKind[] | null | undefined, resolution: number, weight: EdgeWeight) {
    return this.cached(`communities:${resolution}:${weight}`, kinds, async (view): Promise<CommunityPartition> => {
      const options = { resolution, weight, seed: this.settings.seed };
      const partition: Communities = await this.run(view, { type: 'communities', options });
      const communities = partition.sizes.map((_size, index) => ({ index, members: [] as Party[] }));
      let index = 0;
      view.graph.forEachNode((_node, { side, id }) => communities[partition.membership[index++]].members.push({ party: side, id }));
      return { graphVersion: view.version, computedAt: new Date(), modularity: partition.modularity, communities };
    });
  }

  statistics(kinds: readonly RelationKind[] | null | undefined) {
    return this.cached('statistics', kinds, async (view): Promise<GraphStatistics & Computed> => ({
      ...(await this.run(view, { type: 'statistics' })),
      graphVersion: view.version,
      computedAt: new Date(),
    }));
  }

  /** A breadth-first search touches only the nodes near the path: cheap enough for the request thread. */
  async connectionPath(from: Party, to: Party, kinds: readonly RelationKind[] | null | undefined): Promise<Party[] | null> {
    await this.projection.refresh();
    const { graph } = this.projection.view(kinds);
    const path = shortestPath(graph, nodeKey(from.party, from.id), nodeKey(to.party, to.id));
    return path && path.map((node) => partyAt(graph, node));
  }

  async close(): Promise<void> {
    await this.runner.close();
  }

  private run<Task extends AnalyticsTask>(view: GraphView, task: Task): Promise<TaskResult<Task>> {
    return this.runner.run(view.key, view.graph, task);
  }

  private edgeStrengths(kinds: readonly RelationKind[] | null | undefined): Promise<Float64Array> {
    const asOf = strengthAsOf();
    return this.cached(`strengths:${asOf}`, kinds, async (view) => edgeStrengths(view.graph, asOf, this.settings.strength));
  }

  private async cached<T>(
    question: string,
    kinds: readonly RelationKind[] | null | undefined,
    compute: (view: GraphView) => Promise<T>,
  ): Promise<T> {
    await this.projection.refresh();
    const view = this.projection.view(kinds);
    const key = `${question}:${view.kinds}`;
    if (this.cacheVersion !== view.version) {
      this.cache.clear();
      this.cacheVersion = view.version;
    }
    const hit = this.cache.get(key);
    if (hit) return hit as Promise<T>;
    if (this.cache.size >= this.settings.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
    const answer = compute(view);
    this.cache.set(key, answer);
    answer.catch(() => this.cache.get(key) === answer && this.cache.delete(key));
    return answer;
  }
}

function partyAt(graph: RelationGraph, node: string): Party {
  const { side, id } = graph.getNodeAttributes(node);
  return { party: side, id };
}

function toParties(graph: RelationGraph, similar: { node: string; similarity: number; shared: number }[]): SimilarParty[] {
  return similar.map(({ node, similarity, shared }) => ({ party: partyAt(graph, node), similarity, shared }));
}
