import type { RelationKind } from '../generated/prisma/enums';
import type { CentralityMetric, CentralityScores } from './centrality';
import type { Communities } from './communities';
import { type Side, nodeKey } from './graph';
import { type GraphView, GraphProjection } from './projection';
import { WorkerRunner } from './runner';
import { type GraphStatistics, shortestPath } from './statistics';
import type { AnalyticsTask, TaskResult } from './tasks';
import type { EdgeWeight } from './weights';

export interface AnalyticsSettings {
  /** Past this many nodes, betweenness is estimated from a sample of source nodes. */
  betweennessExactMaxNodes: number;
  betweennessSamples: number;
  /** Seeds the random choices (Louvain's node order, betweenness samples) for reproducible answers. */
  seed: string;
}

export const DEFAULT_ANALYTICS_SETTINGS: AnalyticsSettings = {
  betweennessExactMaxNodes: 2000,
  betweennessSamples: 256,
  seed: 'rapport',
};

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
  private readonly cache = new Map<string, { version: number; answer: Promise<unknown> }>();

  constructor(
    readonly projection: GraphProjection,
    private readonly settings: AnalyticsSettings = DEFAULT_ANALYTICS_SETTINGS,
  ) {}

  centrality(metric: CentralityMetric, kinds: readonly RelationKind[] | null | undefined, weight: EdgeWeight) {
    return this.cached(`centrality:${metric}:${weight}`, kinds, async (view) => {
      const { betweennessExactMaxNodes, betweennessSamples, seed } = this.settings;
      const options = { metric, weight, betweennessExactMaxNodes, betweennessSamples, seed };
      const scores = await this.run(view, { type: 'centrality', options });
      return new CentralityResult(view, scores, new Date());
    });
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
  connectionPath(from: Party, to: Party, kinds: readonly RelationKind[] | null | undefined): Party[] | null {
    const { graph } = this.projection.view(kinds);
    const path = shortestPath(graph, nodeKey(from.party, from.id), nodeKey(to.party, to.id));
    return path && path.map((node) => ({ party: graph.getNodeAttribute(node, 'side'), id: graph.getNodeAttribute(node, 'id') }));
  }

  async close(): Promise<void> {
    this.projection.close();
    await this.runner.close();
  }

  private run<Task extends AnalyticsTask>(view: GraphView, task: Task): Promise<TaskResult<Task>> {
    return this.runner.run(view.key, view.graph, task);
  }

  private cached<T>(
    question: string,
    kinds: readonly RelationKind[] | null | undefined,
    compute: (view: GraphView) => Promise<T>,
  ): Promise<T> {
    const view = this.projection.view(kinds);
    const key = `${question}:${view.kinds}`;
    const hit = this.cache.get(key);
    if (hit && hit.version === view.version) return hit.answer as Promise<T>;
    const answer = compute(view);
    this.cache.set(key, { version: view.version, answer });
    answer.catch(() => this.cache.get(key)?.answer === answer && this.cache.delete(key));
    return answer;
  }
}
