import seedrandom from 'seedrandom';
import { LRUCache } from 'lru-cache';
import type { CentralityOptions, CentralityScores } from '../graph/centrality';
import { betweenness } from '../graph/kernels/betweenness';
import { closeness } from '../graph/kernels/closeness';
import { type GraphStatistics, graphStatistics } from '../graph/kernels/components';
import { degreeCentrality, weightedDegree } from '../graph/kernels/degree';
import { eigenvectorCentrality } from '../graph/kernels/eigenvector';
import { hits } from '../graph/kernels/hits';
import { type RankedCommunities, louvainCommunities } from '../graph/kernels/louvain';
import { type PagerankState, pagerank } from '../graph/kernels/pagerank';
import { updatePagerank } from '../graph/kernels/pagerank-update';
import { shortestPath } from '../graph/paths';
import {
  type Recommendation,
  type RecommendationOptions,
  type Similar,
  recommendProviders,
  scoredRecommendations,
  similarConsumers,
  similarProviders,
} from '../graph/recommendations';
import type { PackedItemModel } from '../graph/kernels/item-models';
import { recommendByPersonalizedPagerank } from '../graph/kernels/personalized-pagerank';
import { type ItemModelMethod, type MethodOptions, packedItemModel } from '../graph/recommender-methods';
import { type Adjacency, nodeKey, partyOf, partyOfKey, snapshotAdjacency } from '../graph/adjacency';
import { type GraphSnapshot, edgeCounts, restrictSnapshot } from '../graph/snapshot';
import type { EdgeWeight } from '../graph/weights';

/** Which edges a whole-graph task covers and what they weigh. */
export interface TaskGraph {
  /** Relation kinds as a mask over KINDS. */
  kinds: number;
  /** Each edge's relationship strength in snapshot edge order, when the task weighs by it. */
  strengths?: Float64Array;
}

export interface CommunityOptions {
  resolution: number;
  weight: EdgeWeight;
  seed: string;
}

/** The whole-graph computations, run where they cannot hold up requests (see runner.ts). */
export type AnalyticsTask = TaskGraph &
  (
    | { type: 'centrality'; options: CentralityOptions }
    | { type: 'communities'; options: CommunityOptions }
    | { type: 'statistics' }
    | { type: 'recommendations'; consumerId: number; method: 'RP3BETA' | 'PERSONALIZED_PAGERANK'; options: RecommendationOptions; methods: MethodOptions }
    | { type: 'itemModel'; method: ItemModelMethod; methods: MethodOptions }
    | { type: 'similar'; node: string; first: number }
    | { type: 'path'; from: string; to: string }
  );

export interface TaskResults {
  centrality: CentralityScores;
  communities: RankedCommunities;
  statistics: GraphStatistics;
  recommendations: Recommendation[];
  /** Its columns name providers by ID. */
  itemModel: PackedItemModel;
  similar: Similar[];
  path: string[] | null;
}

export type TaskResult<Task extends AnalyticsTask> = TaskResults[Task['type']];

/** Runs a task with the CSR kernels on a snapshot; per-node results are in the snapshot's node order. */
export function runTask<Task extends AnalyticsTask>(full: GraphSnapshot, task: Task): TaskResult<Task> {
  const { snapshot, kept } = restrictSnapshot(full, task.kinds);
  switch (task.type) {
    case 'centrality':
      return centrality(snapshot, task, weightsOf(snapshot, task, kept, task.options.weight)) as TaskResult<Task>;
    case 'communities': {
      const { resolution, seed, weight } = task.options;
      const weights = weightsOf(snapshot, task, kept, weight);
      return louvainCommunities(snapshot.csr, { resolution, weights, rng: seedrandom(seed) }) as TaskResult<Task>;
    }
    case 'statistics':
      return graphStatistics(snapshot.csr, snapshot.sides) as TaskResult<Task>;
    case 'recommendations':
      return recommendations(snapshot, task) as TaskResult<Task>;
    case 'itemModel': {
      const packed = packedItemModel(snapshot.csr, snapshot.sides, task.method, task.methods);
      return { ...packed, providers: Int32Array.from(packed.providers, (node) => snapshot.ids[node]) } as TaskResult<Task>;
    }
    case 'similar': {
      const graph = adjacencyOf(snapshot);
      const { party, id } = partyOfKey(task.node);
      return (party === 'provider' ? similarProviders : similarConsumers)(graph, graph.nodeOf(party, id), task.first) as TaskResult<Task>;
    }
    case 'path': {
      const graph = adjacencyOf(snapshot);
      const [from, to] = [task.from, task.to].map((key) => partyOfKey(key)).map(({ party, id }) => graph.nodeOf(party, id));
      const path = shortestPath(graph, from, to);
      return (path && path.map((node) => nodeKey(partyOf(graph, node).party, partyOf(graph, node).id))) as TaskResult<Task>;
    }
  }
  throw new Error(`Unknown analytics task ${JSON.stringify(task)}`);
}

function recommendations(snapshot: GraphSnapshot, task: Extract<AnalyticsTask, { type: 'recommendations' }>): Recommendation[] {
  const graph = adjacencyOf(snapshot);
  const consumer = graph.nodeOf('consumer', task.consumerId);
  if (task.method === 'RP3BETA' || consumer === -1) return recommendProviders(graph, consumer, task.options);
  const { first, reasons } = task.options;
  const scoring = { ...task.methods.personalizedPagerank, first, reasons, ids: snapshot.ids };
  const scored = recommendByPersonalizedPagerank(snapshot.csr, snapshot.sides, consumer, scoring);
  const own = Array.from(snapshot.csr.neighbors.subarray(snapshot.csr.offsets[consumer], snapshot.csr.offsets[consumer + 1]));
  return scoredRecommendations(graph, scored, first, (node) => node, own);
}

function weightsOf(snapshot: GraphSnapshot, task: TaskGraph, kept: Int32Array, weight: EdgeWeight): Float64Array | undefined {
  if (weight === 'NONE') return undefined;
  if (weight === 'COUNT') return edgeCounts(snapshot, task.kinds);
  if (!task.strengths) throw new Error('A STRENGTH-weighted task needs the edges’ strengths');
  return Float64Array.from(kept, (edge) => task.strengths![edge]);
}

function centrality(snapshot: GraphSnapshot, task: TaskGraph & { options: CentralityOptions }, weights?: Float64Array): CentralityScores {
  const { csr } = snapshot;
  const { options } = task;
  const question = questionOf(options, task.kinds);
  const exact = (scores: Float64Array): CentralityScores => ({ scores, approximate: false, sampleSize: null });
  const start = () => warmStart(snapshot, question);
  switch (options.metric) {
    case 'DEGREE':
      return exact(degreeCentrality(csr));
    case 'WEIGHTED_DEGREE':
      return exact(weightedDegree(csr, weights));
    case 'PAGERANK':
      return exact(carriedPagerank(snapshot, question, weights));
    case 'EIGENVECTOR':
      return exact(remember(snapshot, question, eigenvectorCentrality(csr, { weights, start: start() }).scores));
    case 'HITS_HUB':
    case 'HITS_AUTHORITY': {
      const { hubs, authorities } = hits(csr, snapshot.sides, { weights, start: start() });
      remember(snapshot, question, hubs);
      return exact(options.metric === 'HITS_HUB' ? hubs : authorities);
    }
    case 'BETWEENNESS':
      return betweenness(csr, { weights, ...pathOptions(options, options.betweennessExactMaxNodes) });
    case 'CLOSENESS':
      return closeness(csr, pathOptions(options, options.closenessExactMaxNodes));
  }
}

function pathOptions(options: CentralityOptions, exactMaxNodes: number) {
  return { exactMaxNodes, samples: options.samples, seed: options.seed };
}

// ---- Warm starts: PageRank, eigenvector and HITS begin from the last vector this worker
// computed for the same question, carried over to the new snapshot's node order. After a few
// writes that vector is nearly the answer, and the power iteration needs a few steps instead of
// dozens. PageRank keeps its whole state, and when the graph only grew since, it is updated
// where the graph changed, without a sweep (pagerank-update.ts).

interface Previous {
  sides: Uint8Array;
  ids: Int32Array;
  /** The last answer, or any vector of its direction. */
  scores: Float64Array;
  pagerank?: PagerankState;
}

const MAX_REMEMBERED = 32;
/** What the remembered vectors may hold in all (PageRank's state: four vectors per node or edge). */
const MAX_REMEMBERED_BYTES = 256 * 1024 * 1024;
const previous = new LRUCache<string, Previous>({
  max: MAX_REMEMBERED,
  maxSize: MAX_REMEMBERED_BYTES,
  sizeCalculation: ({ scores, pagerank }) => {
    // A PageRank entry's scores are its state's z. The edges' ends are the snapshot's own.
    const vectors = pagerank ? [pagerank.z, pagerank.strengths, pagerank.residual, pagerank.weights] : [scores];
    return vectors.reduce((bytes, vector) => bytes + (vector?.byteLength ?? 0), 1);
  },
});

/** PageRank updated from this question's last answer when the graph only grew since, else computed from a warm start. */
function carriedPagerank(snapshot: GraphSnapshot, question: string, weights?: Float64Array): Float64Array {
  const { csr, ends } = snapshot;
  const last = previous.get(question);
  const updated = last?.pagerank && sameNodesFirst(last, snapshot) ? updatePagerank(last.pagerank, csr, { ends, weights }) : null;
  const { scores, state } = updated ?? pagerank(csr, { alpha: 0.85, weights, start: warmStart(snapshot, question), colours: snapshot.sides, ends });
  if (state) previous.set(question, { sides: snapshot.sides, ids: snapshot.ids, scores: state.z, pagerank: state });
  return scores;
}

function questionOf(options: CentralityOptions, kinds: number): string {
  const metric = options.metric === 'HITS_AUTHORITY' ? 'HITS_HUB' : options.metric; // both start from the hubs
  return `${metric}:${options.weight}:${kinds}`;
}

function remember(snapshot: GraphSnapshot, question: string, scores: Float64Array): Float64Array {
  // A copy: the answer's array is transferred to the main thread, which detaches it here.
  previous.set(question, { sides: snapshot.sides, ids: snapshot.ids, scores: scores.slice() });
  return scores;
}

/** The last vector for this question in this snapshot's node order; parties new since start at 0. */
function warmStart(snapshot: GraphSnapshot, question: string): Float64Array | undefined {
  const last = previous.get(question);
  if (!last) return undefined;
  if (sameNodesFirst(last, snapshot)) {
    const start = new Float64Array(snapshot.ids.length);
    start.set(last.scores);
    return start;
  }
  const indexOf = new Map<number, number>();
  last.ids.forEach((id, node) => indexOf.set(id * 2 + last.sides[node], node));
  return Float64Array.from(snapshot.ids, (id, node) => {
    const before = indexOf.get(id * 2 + snapshot.sides[node]);
    return before === undefined ? 0 : last.scores[before];
  });
}

/**
 * Whether the snapshot begins with the previous one's nodes in their order: the common case (the
 * store appends parties and renumbers only when one was deleted), checked in one pass where a
 * map of every party costs a warm start as much as its sweeps.
 */
function sameNodesFirst(last: Previous, snapshot: GraphSnapshot): boolean {
  if (last.ids.length > snapshot.ids.length) return false;
  for (let node = 0; node < last.ids.length; node++) {
    if (last.ids[node] !== snapshot.ids[node] || last.sides[node] !== snapshot.sides[node]) return false;
  }
  return true;
}

/** The last snapshot's adjacency: its party index serves every per-node task on that snapshot. */
let lastAdjacency: { key: string; graph: Adjacency } | undefined;

function adjacencyOf(snapshot: GraphSnapshot): Adjacency {
  if (lastAdjacency?.key !== snapshot.key) lastAdjacency = { key: snapshot.key, graph: snapshotAdjacency(snapshot) };
  return lastAdjacency.graph;
}
