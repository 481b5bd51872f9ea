import type { Csr } from '../csr';

/**
 * Louvain community detection (Blondel et al. 2008) over a CSR, in typed arrays: nodes move to
 * the neighbouring community that raises modularity most, then each community becomes one node
 * of a smaller weighted graph, and so on while anything moves. Like graphology-communities-louvain
 * (its defaults), a node whose community changed puts its neighbours back in the queue instead of
 * sweeping every node again, and a node leaves for a community of its own when that is better.
 * Then, unlike graphology, the final split is refined level by level (see `refine`).
 *
 * Modularity with resolution γ: Q = Σ_c [ in_c / 2m − γ (tot_c / 2m)² ], where in_c is the weight
 * of the edges inside c counted from both ends and tot_c the total weighted degree of c's nodes.
 */

export interface LouvainOptions {
  /** Weight of each edge, by edge index: finite and not negative. Every edge weighs 1 without it. */
  weights?: Float64Array;
  /** γ above: above 1 favours smaller communities, below 1 larger ones. */
  resolution: number;
  /** Uniform numbers in [0, 1) that decide the visiting order: the same sequence, the same split. */
  rng: () => number;
  /**
   * Once merging stops, let the nodes of every level move again, from the top down (default true):
   * higher modularity for a little more time. False runs Louvain as graphology's package does.
   */
  refine?: boolean;
}

export interface LouvainResult {
  /** Community of each node, numbered 0, 1, ... in order of first member. */
  membership: Int32Array;
  modularity: number;
}

/** Communities as the API reports them. */
export interface RankedCommunities {
  /** Community of each node; 0 is the largest, ties broken by first member. */
  membership: Int32Array;
  /** Size of each community, largest first. */
  sizes: number[];
  modularity: number;
}

/** Louvain communities numbered by size; isolated nodes (and every node of an edgeless graph) stay alone. */
export function louvainCommunities(csr: Csr, options: LouvainOptions): RankedCommunities {
  const result = louvain(csr, options);
  return { ...rankCommunities(result.membership), modularity: result.modularity };
}

export function louvain(csr: Csr, options: LouvainOptions): LouvainResult {
  checkOptions(csr, options);
  const base = firstLevel(csr, options.weights);
  const totalWeight = sum(base.strengths);
  if (totalWeight === 0) return { membership: identity(csr.nodeCount), modularity: 0 };
  const scale = options.resolution / totalWeight;
  const hierarchy = coarsen(base, scale, options.rng);
  const membership = options.refine === false ? flatten(hierarchy) : refine(hierarchy, scale, options.rng);
  renumber(membership);
  return { membership, modularity: modularity(csr, membership, options) };
}

interface Hierarchy {
  /** The CSR's graph first, then each level's communities merged into nodes. */
  levels: Level[];
  /** merges[k][v]: the node of levels[k + 1] that node v of levels[k] became. */
  merges: Int32Array[];
  /** The split of the last level's nodes where moving stopped. */
  top: Int32Array;
}

/** Louvain's two phases, repeated while nodes move: move nodes between communities, then merge each community. */
function coarsen(base: Level, scale: number, rng: () => number): Hierarchy {
  const levels = [base];
  const merges: Int32Array[] = [];
  for (let level = base; ; ) {
    const community = identity(level.nodeCount);
    if (!moveNodes(level, scale, rng, community)) return { levels, merges, top: community };
    const count = renumber(community);
    // A move into an empty community can leave as many communities as nodes: nothing to merge.
    if (count === level.nodeCount) return { levels, merges, top: community };
    merges.push(community);
    level = aggregate(level, community, count);
    levels.push(level);
  }
}

/** Each original node's community in the top split. */
function flatten({ merges, top }: Hierarchy): Int32Array {
  let split = top;
  for (let level = merges.length - 1; level >= 0; level--) split = merges[level].map((node) => split[node]);
  return split;
}

/**
 * Projects the top split down level by level, letting each level's nodes move again (multi-level
 * refinement, Rotta and Noack 2011): a node merged early into the wrong community can still leave it.
 */
function refine({ levels, merges, top }: Hierarchy, scale: number, rng: () => number): Int32Array {
  let split = top;
  for (let level = merges.length - 1; level >= 0; level--) {
    split = merges[level].map((node) => split[node]);
    moveNodes(levels[level], scale, rng, split);
  }
  return split;
}

/** Modularity of a split given as community numbers below csr.nodeCount, computed from scratch. */
export function modularity(csr: Csr, membership: Int32Array, options: Pick<LouvainOptions, 'weights' | 'resolution'>): number {
  const { nodeCount, offsets, neighbors, edges } = csr;
  if (membership.length !== nodeCount) throw new RangeError(`membership has ${membership.length} entries for ${nodeCount} nodes`);
  const inside = new Float64Array(nodeCount);
  const totals = new Float64Array(nodeCount);
  let totalWeight = 0;
  for (let node = 0; node < nodeCount; node++) {
    const community = membership[node];
    if (!(community >= 0 && community < nodeCount)) throw new RangeError(`community ${community} of node ${node} is not in [0, ${nodeCount})`);
    for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
      const weight = options.weights ? options.weights[edges[entry]] : 1;
      totals[community] += weight;
      totalWeight += weight;
      if (membership[neighbors[entry]] === community) inside[community] += weight;
    }
  }
  if (totalWeight === 0) return 0;
  let quality = 0;
  for (let community = 0; community < nodeCount; community++) {
    quality += inside[community] / totalWeight - options.resolution * (totals[community] / totalWeight) ** 2;
  }
  return quality;
}

/**
 * Renumbers communities (numbers below the node count) by size, largest first, then by first
 * member, and counts their members: the numbering the API answers with.
 */
export function rankCommunities(membership: Int32Array): { membership: Int32Array; sizes: number[] } {
  const count = membership.length;
  const sizeOf = new Int32Array(count);
  const firstMemberOf = new Int32Array(count).fill(-1);
  const present: number[] = [];
  membership.forEach((community, node) => {
    if (sizeOf[community]++ === 0) {
      firstMemberOf[community] = node;
      present.push(community);
    }
  });
  present.sort((a, b) => sizeOf[b] - sizeOf[a] || firstMemberOf[a] - firstMemberOf[b]);
  const rankOf = new Int32Array(count);
  present.forEach((community, rank) => (rankOf[community] = rank));
  return {
    membership: membership.map((community) => rankOf[community]),
    sizes: present.map((community) => sizeOf[community]),
  };
}

/** A weighted graph whose nodes are the previous level's communities (the CSR's nodes at first). */
interface Level {
  nodeCount: number;
  offsets: Int32Array;
  neighbors: Int32Array;
  /** By adjacency entry: the weight between the two nodes, seen from either end. */
  weights: Float64Array;
  /** Weight of the edges merged inside each node, from both ends, as modularity counts it. */
  loops: Float64Array;
  /** Each node's weighted degree in the original graph: its adjacency weights plus its loops. */
  strengths: Float64Array;
}

function firstLevel(csr: Csr, weights: Float64Array | undefined): Level {
  const entryWeights = new Float64Array(csr.neighbors.length).fill(1);
  if (weights) for (let entry = 0; entry < entryWeights.length; entry++) entryWeights[entry] = weights[csr.edges[entry]];
  const strengths = new Float64Array(csr.nodeCount);
  for (let node = 0; node < csr.nodeCount; node++) {
    for (let entry = csr.offsets[node]; entry < csr.offsets[node + 1]; entry++) strengths[node] += entryWeights[entry];
  }
  return {
    nodeCount: csr.nodeCount,
    offsets: csr.offsets,
    neighbors: csr.neighbors,
    weights: entryWeights,
    loops: new Float64Array(csr.nodeCount),
    strengths,
  };
}

// Gains within this fraction of a node's strength count as ties, so that rounding never moves a node.
const TIE_TOLERANCE = 1e-10;

/**
 * Moves nodes between communities, starting from `community` (numbers below nodeCount) and
 * updating it in place, until no move raises modularity; says whether any node moved. `scale` is
 * γ / 2m: moving node i into community c gains w(i, c) − scale · tot_c · k_i, up to a factor 1 / m.
 */
function moveNodes(level: Level, scale: number, rng: () => number, community: Int32Array): boolean {
  const { offsets, neighbors, weights, strengths } = level;
  const { totals, sizes, empty } = communityTotals(community, strengths);
  const links = new NeighbourCommunities(level.nodeCount);
  const queue = new NodeQueue(shuffled(level.nodeCount, rng));
  let moved = false;

  while (queue.length > 0) {
    const node = queue.take();
    const strength = strengths[node];
    if (strength === 0) continue;
    const current = community[node];
    links.gather(node, offsets, neighbors, weights, community);
    totals[current] -= strength;

    let best = current;
    let bestGain = links.weightTo(current) - scale * totals[current] * strength;
    const tolerance = TIE_TOLERANCE * strength;
    for (let index = 0; index < links.count; index++) {
      const candidate = links.touched[index];
      const gain = links.weightTo(candidate) - scale * totals[candidate] * strength;
      if (gain > bestGain + tolerance) {
        best = candidate;
        bestGain = gain;
      }
    }
    links.clear();
    // Joining an empty community gains 0 (and one is free whenever the node shares its current one).
    if (bestGain < -tolerance && sizes[current] > 1) best = empty.ids[--empty.count];

    if (best === current) {
      totals[current] += strength;
      continue;
    }
    if (--sizes[current] === 0) {
      empty.ids[empty.count++] = current;
      totals[current] = 0;
    }
    community[node] = best;
    sizes[best]++;
    totals[best] += strength;
    moved = true;
    for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
      if (community[neighbors[entry]] !== best) queue.add(neighbors[entry]);
    }
  }
  return moved;
}

/** Each community's total strength and size, and a stack of the numbers no node has (room for all). */
function communityTotals(community: Int32Array, strengths: Float64Array) {
  const totals = new Float64Array(community.length);
  const sizes = new Int32Array(community.length);
  for (let node = 0; node < community.length; node++) {
    totals[community[node]] += strengths[node];
    sizes[community[node]]++;
  }
  const empty = { ids: new Int32Array(community.length), count: 0 };
  for (let id = community.length - 1; id >= 0; id--) if (sizes[id] === 0) empty.ids[empty.count++] = id;
  return { totals, sizes, empty };
}

/** The weight from one node to each community among its neighbours', reset between nodes in O(degree). */
class NeighbourCommunities {
  readonly touched: Int32Array;
  count = 0;
  private readonly weights: Float64Array;
  private readonly seen: Uint8Array;

  constructor(communityCount: number) {
    this.touched = new Int32Array(communityCount);
    this.weights = new Float64Array(communityCount);
    this.seen = new Uint8Array(communityCount);
  }

  gather(node: number, offsets: Int32Array, neighbors: Int32Array, weights: Float64Array, community: Int32Array): void {
    for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) this.add(community[neighbors[entry]], weights[entry]);
  }

  add(community: number, weight: number): void {
    if (this.seen[community] === 0) {
      this.seen[community] = 1;
      this.touched[this.count++] = community;
    }
    this.weights[community] += weight;
  }

  weightTo(community: number): number {
    return this.weights[community];
  }

  clear(): void {
    for (let index = 0; index < this.count; index++) {
      const community = this.touched[index];
      this.weights[community] = 0;
      this.seen[community] = 0;
    }
    this.count = 0;
  }
}

/** A first-in first-out ring of nodes holding each node at most once. */
class NodeQueue {
  length: number;
  private head = 0;
  private readonly ring: Int32Array;
  private readonly queued: Uint8Array;

  constructor(initial: Int32Array) {
    this.ring = initial;
    this.length = initial.length;
    this.queued = new Uint8Array(initial.length).fill(1);
  }

  take(): number {
    const node = this.ring[this.head];
    this.head = this.head + 1 === this.ring.length ? 0 : this.head + 1;
    this.length--;
    this.queued[node] = 0;
    return node;
  }

  add(node: number): void {
    if (this.queued[node] === 1) return;
    this.queued[node] = 1;
    let tail = this.head + this.length;
    if (tail >= this.ring.length) tail -= this.ring.length;
    this.ring[tail] = node;
    this.length++;
  }
}

/** Numbers communities 0, 1, ... in order of first member, in place; returns how many there are. */
function renumber(community: Int32Array): number {
  const number = new Int32Array(community.length).fill(-1);
  let count = 0;
  for (let node = 0; node < community.length; node++) {
    const old = community[node];
    if (number[old] < 0) number[old] = count++;
    community[node] = number[old];
  }
  return count;
}

/** The level's graph with each community merged into one node: edges inside become its loops. */
function aggregate(level: Level, community: Int32Array, count: number): Level {
  const { starts, nodes } = membersByCommunity(community, count);
  const { offsets: fromOffsets, neighbors: fromNeighbors, weights: fromWeights } = level;
  const offsets = new Int32Array(count + 1);
  const neighbors = new Int32Array(fromNeighbors.length);
  const weights = new Float64Array(fromNeighbors.length);
  const loops = new Float64Array(count);
  const strengths = new Float64Array(count);
  const links = new NeighbourCommunities(count);
  let written = 0;
  for (let merged = 0; merged < count; merged++) {
    for (let position = starts[merged]; position < starts[merged + 1]; position++) {
      const node = nodes[position];
      loops[merged] += level.loops[node];
      strengths[merged] += level.strengths[node];
      for (let entry = fromOffsets[node]; entry < fromOffsets[node + 1]; entry++) {
        const other = community[fromNeighbors[entry]];
        if (other === merged) loops[merged] += fromWeights[entry];
        else links.add(other, fromWeights[entry]);
      }
    }
    for (let index = 0; index < links.count; index++) {
      neighbors[written] = links.touched[index];
      weights[written++] = links.weightTo(links.touched[index]);
    }
    links.clear();
    offsets[merged + 1] = written;
  }
  return { nodeCount: count, offsets, neighbors: neighbors.subarray(0, written), weights: weights.subarray(0, written), loops, strengths };
}

/** Nodes grouped by community (counting sort): community c's are nodes[starts[c]] to nodes[starts[c + 1] - 1]. */
function membersByCommunity(community: Int32Array, count: number): { starts: Int32Array; nodes: Int32Array } {
  const starts = new Int32Array(count + 1);
  for (let node = 0; node < community.length; node++) starts[community[node] + 1]++;
  for (let index = 0; index < count; index++) starts[index + 1] += starts[index];
  const cursor = starts.slice(0, count);
  const nodes = new Int32Array(community.length);
  for (let node = 0; node < community.length; node++) nodes[cursor[community[node]]++] = node;
  return { starts, nodes };
}

function checkOptions(csr: Csr, { weights, resolution }: LouvainOptions): void {
  if (!(Number.isFinite(resolution) && resolution >= 0)) {
    throw new RangeError(`resolution must be a finite number, 0 or more; got ${resolution}`);
  }
  if (!weights) return;
  if (weights.length !== csr.edgeCount) {
    throw new RangeError(`weights has ${weights.length} entries for ${csr.edgeCount} edges: give one weight per edge`);
  }
  const bad = weights.findIndex((weight) => !(Number.isFinite(weight) && weight >= 0));
  if (bad >= 0) throw new RangeError(`the weight of edge ${bad} is ${weights[bad]}: weights must be finite and not negative`);
}

function identity(count: number): Int32Array {
  const result = new Int32Array(count);
  for (let index = 0; index < count; index++) result[index] = index;
  return result;
}

/** 0 to count - 1 in random order (Fisher–Yates). */
function shuffled(count: number, rng: () => number): Int32Array {
  const order = identity(count);
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(rng() * (index + 1));
    const held = order[index];
    order[index] = order[other];
    order[other] = held;
  }
  return order;
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
