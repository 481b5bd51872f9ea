import { PROVIDER } from './csr';
import { KINDS, type GraphSnapshot } from './snapshot';

/**
 * What a map of the whole relation graph can draw: every node and edge when the graph is small,
 * else an aggregate of bounded size (the most central providers and the largest communities as
 * super-nodes, with the ties between them), never the whole graph.
 */

export interface OverviewOptions {
  /** Nodes in the answer, at most. */
  limit: number;
  /** Edges in the answer, at most; the heaviest are kept. */
  maxEdges: number;
}

/** A consumer or provider of the snapshot, by node index. */
export interface OverviewPartyNode {
  kind: 'party';
  node: number;
  /** Its community, or -1 when the partition predates it. */
  community: number;
  score: number;
}

/** A community drawn as one node. Its counts include the providers also drawn on their own. */
export interface OverviewCommunityNode {
  kind: 'community';
  community: number;
  consumers: number;
  providers: number;
}

export type OverviewNode = OverviewPartyNode | OverviewCommunityNode;

/** A tie between two answer nodes (indices into `nodes`): relations for two parties, consumer–provider pairs when a community is involved. */
export interface OverviewEdge {
  source: number;
  target: number;
  weight: number;
}

export interface Overview {
  aggregated: boolean;
  nodes: OverviewNode[];
  edges: OverviewEdge[];
  totalNodes: number;
  totalEdges: number;
  communityCount: number;
}

export interface OverviewInput {
  snapshot: GraphSnapshot;
  /** Community per snapshot node, -1 for none; communities are numbered largest first. */
  membership: Int32Array;
  communityCount: number;
  /** Centrality score per snapshot node. */
  scores: Float64Array;
}

/** Super-nodes take at most this share of the answer's nodes; the most central providers the rest. */
const COMMUNITY_SHARE = 0.25;

export function graphOverview(input: OverviewInput, options: OverviewOptions): Overview {
  const { csr } = input.snapshot;
  const totals = { totalNodes: csr.nodeCount, totalEdges: csr.edgeCount, communityCount: input.communityCount };
  if (csr.nodeCount <= options.limit && csr.edgeCount <= options.maxEdges) return { aggregated: false, ...wholeGraph(input), ...totals };
  return { aggregated: true, ...aggregate(input, options), ...totals };
}

/**
 * One community opened up: its most central members (consumers and providers, highest score
 * first, ties by ID), at most `limit`, with the heaviest ties between them. Aggregated when the
 * community has more members than that.
 */
export function communityOverview(input: OverviewInput, community: number, options: OverviewOptions): Overview {
  const { snapshot, membership, scores } = input;
  const totals = { totalNodes: snapshot.csr.nodeCount, totalEdges: snapshot.csr.edgeCount, communityCount: input.communityCount };
  const members: number[] = [];
  membership.forEach((of, node) => of === community && members.push(node));
  members.sort((a, b) => scores[b] - scores[a] || snapshot.sides[a] - snapshot.sides[b] || snapshot.ids[a] - snapshot.ids[b]);
  const shown = members.slice(0, options.limit);
  const position = new Map(shown.map((node, index) => [node, index]));
  const nodes: OverviewNode[] = shown.map((node) => ({ kind: 'party', node, community, score: scores[node] }));
  const { offsets, neighbors, edges: edgeOf } = snapshot.csr;
  const edges: OverviewEdge[] = [];
  shown.forEach((node, source) => {
    for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
      const target = position.get(neighbors[entry]);
      if (target !== undefined && target > source) edges.push({ source, target, weight: relationCount(snapshot, edgeOf[entry]) });
    }
  });
  edges.sort((x, y) => y.weight - x.weight || x.source - y.source || x.target - y.target);
  return { aggregated: members.length > shown.length, nodes, edges: edges.slice(0, options.maxEdges), ...totals };
}

/** Relations per edge, over every kind. */
function relationCount(snapshot: GraphSnapshot, edge: number): number {
  let count = 0;
  for (let kind = 0; kind < KINDS.length; kind++) count += snapshot.kindCounts[edge * KINDS.length + kind];
  return count;
}

function wholeGraph({ snapshot, membership, scores }: OverviewInput): Pick<Overview, 'nodes' | 'edges'> {
  const { csr } = snapshot;
  const nodes: OverviewNode[] = Array.from({ length: csr.nodeCount }, (_, node) => ({
    kind: 'party',
    node,
    community: membership[node],
    score: scores[node],
  }));
  const edges: OverviewEdge[] = [];
  forEachEdge(snapshot, (source, target, edge) => edges.push({ source, target, weight: relationCount(snapshot, edge) }));
  return { nodes, edges };
}

function aggregate({ snapshot, membership, communityCount, scores }: OverviewInput, options: OverviewOptions): Pick<Overview, 'nodes' | 'edges'> {
  const communitiesShown = Math.min(communityCount, Math.max(1, Math.floor(options.limit * COMMUNITY_SHARE)));
  const providers = mostCentralProviders(snapshot, scores, options.limit - communitiesShown);
  const nodes: OverviewNode[] = providers.map((node) => ({ kind: 'party', node, community: membership[node], score: scores[node] }));
  const communityNode = new Int32Array(communityCount).fill(-1);
  const counts = memberCounts(snapshot, membership, communityCount);
  for (let community = 0; community < communitiesShown; community++) {
    communityNode[community] = nodes.length;
    nodes.push({ kind: 'community', community, ...counts[community] });
  }
  const providerNode = new Map(providers.map((node, index) => [node, index]));
  const weights = new Map<number, number>();
  const add = (a: number, b: number) => {
    if (a < 0 || b < 0 || a === b) return;
    const key = Math.min(a, b) * nodes.length + Math.max(a, b);
    weights.set(key, (weights.get(key) ?? 0) + 1);
  };
  forEachEdge(snapshot, (source, target) => {
    const [a, b] = [communityOf(membership, communityNode, source), communityOf(membership, communityNode, target)];
    add(a, b);
    // A provider drawn on its own is also tied to the communities of its consumers.
    add(providerNode.get(source) ?? -1, b);
    add(providerNode.get(target) ?? -1, a);
  });
  const edges = Array.from(weights, ([key, weight]) => ({ source: Math.floor(key / nodes.length), target: key % nodes.length, weight }));
  edges.sort((x, y) => y.weight - x.weight || x.source - y.source || x.target - y.target);
  return { nodes, edges: edges.slice(0, options.maxEdges) };
}

function communityOf(membership: Int32Array, communityNode: Int32Array, node: number): number {
  const community = membership[node];
  return community < 0 ? -1 : communityNode[community];
}

/** Provider node indices, highest score first, ties by provider ID (as rankings order them). */
function mostCentralProviders(snapshot: GraphSnapshot, scores: Float64Array, count: number): number[] {
  const providers: number[] = [];
  for (let node = 0; node < snapshot.sides.length; node++) if (snapshot.sides[node] === PROVIDER) providers.push(node);
  providers.sort((a, b) => scores[b] - scores[a] || snapshot.ids[a] - snapshot.ids[b]);
  return providers.slice(0, Math.max(0, count));
}

function memberCounts(snapshot: GraphSnapshot, membership: Int32Array, communityCount: number) {
  const counts = Array.from({ length: communityCount }, () => ({ consumers: 0, providers: 0 }));
  membership.forEach((community, node) => {
    if (community < 0) return;
    if (snapshot.sides[node] === PROVIDER) counts[community].providers++;
    else counts[community].consumers++;
  });
  return counts;
}

/** Each edge once, with its ends (lower node index first) and its index. */
function forEachEdge(snapshot: GraphSnapshot, visit: (source: number, target: number, edge: number) => void): void {
  const { offsets, neighbors, edges } = snapshot.csr;
  for (let node = 0; node < snapshot.csr.nodeCount; node++) {
    for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
      if (neighbors[entry] > node) visit(node, neighbors[entry], edges[entry]);
    }
  }
}
