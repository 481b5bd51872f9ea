import louvain from 'graphology-communities-louvain';
import seedrandom from 'seedrandom';
import type { RelationGraph } from './relation-graph';
import { type EdgeWeight, edgeWeightAttribute } from './weights';

export interface CommunityOptions {
  resolution: number;
  weight: EdgeWeight;
  seed: string;
}

export interface Communities {
  /** Community index of each node, in the graph's node order; 0 is the largest community. */
  membership: Int32Array;
  /** Sizes of the communities, largest first. */
  sizes: number[];
  modularity: number;
}

/** Louvain communities with a seeded random source, so that the same graph always splits the same way. */
export function detectCommunities(graph: RelationGraph, options: CommunityOptions): Communities {
  const nodes = graph.nodes();
  if (graph.size === 0) {
    return { membership: Int32Array.from(nodes, (_node, index) => index), sizes: nodes.map(() => 1), modularity: 0 };
  }
  const detailed = louvain.detailed(graph, {
    resolution: options.resolution,
    getEdgeWeight: edgeWeightAttribute(options.weight),
    rng: seedrandom(options.seed),
  });

  // Louvain's own numbering is arbitrary; number communities by size, then by first member.
  const membersOf = new Map<number, number>();
  nodes.forEach((node) => membersOf.set(detailed.communities[node], (membersOf.get(detailed.communities[node]) ?? 0) + 1));
  const firstSeen = new Map<number, number>();
  nodes.forEach((node, index) => firstSeen.has(detailed.communities[node]) || firstSeen.set(detailed.communities[node], index));
  const ranked = [...membersOf.keys()].sort(
    (a, b) => membersOf.get(b)! - membersOf.get(a)! || firstSeen.get(a)! - firstSeen.get(b)!,
  );
  const rankOf = new Map(ranked.map((community, rank) => [community, rank]));
  return {
    membership: Int32Array.from(nodes, (node) => rankOf.get(detailed.communities[node])!),
    sizes: ranked.map((community) => membersOf.get(community)!),
    modularity: detailed.modularity,
  };
}
