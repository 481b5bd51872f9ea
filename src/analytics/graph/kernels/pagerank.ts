import type { Csr, EdgeEnds } from '../csr';
import { ConvergenceError, DEFAULT_ITERATION, type IterationOptions, type IterationResult, scaledStart, sumNorm } from './iteration';

/**
 * A warm start's nodes are settled when each residual is within this many times the average
 * per-node change the stopping rule allows (scaled by the node's strength): enough to take the
 * error off the nodes next to a change, few enough pushes to cost less than a sweep.
 */
const SETTLED = 10;

export interface PagerankOptions extends IterationOptions {
  /** Damping: the probability of following an edge rather than jumping anywhere. */
  alpha?: number;
  /** Per-edge weights; absent, every edge weighs 1. */
  weights?: Float64Array;
  /**
   * A 2-colouring of the nodes when the caller knows one (a bipartite graph's sides, 0 and 1):
   * the sweeps' order then costs one pass over the nodes instead of a breadth-first search, which
   * a warm start after one write would otherwise spend as much time on as on its sweeps.
   */
  colours?: Uint8Array;
  /**
   * The CSR's edges by their ends. Given, the answer carries the state that updatePagerank
   * (pagerank-update.ts) brings to a later version of the graph that only added to this one.
   */
  ends?: EdgeEnds;
}

export interface PagerankResult extends IterationResult {
  state?: PagerankState;
}

/**
 * A solved PageRank as the next version's update reads it: the graph it was solved on, and per
 * node the unnormalised z, its strength and its exact residual 1 + Σ carried − z (a node carries
 * α·z/strength per unit of edge weight). The answer is z / Σz.
 */
export interface PagerankState {
  alpha: number;
  ends: EdgeEnds;
  /** By edge; null when every edge weighs 1. */
  weights: Float64Array | null;
  z: Float64Array;
  strengths: Float64Array;
  residual: Float64Array;
}

/**
 * PageRank as networkx and graphology-metrics define it on an undirected graph: a walker leaves
 * a node along an edge with probability proportional to its weight; a node without weighted
 * edges (isolated, or only zero weights) is dangling and spreads its rank evenly over all nodes.
 *
 * Teleport and dangling rank both reach every node evenly, so the answer is z / Σz for the z
 * that solves z = 1 + α·W·z (W: the walk's transitions, no column for dangling nodes; a dangling
 * node's z is 1). z is found by Gauss–Seidel sweeps, one side of the bipartite graph before the
 * other, each sweep using the values the previous half just set: an error shrinks by α² per sweep
 * where the power iteration of networkx shrinks it by α per step. Converged, as networkx reads the
 * tolerance, when one sweep changes z / Σz by less than n · tolerance (L1).
 *
 * A warm start is first settled where it is wrong (see settleResiduals), so that the sweeps that
 * follow start from an error spread thinly over the graph rather than concentrated on a few nodes.
 */
export function pagerank(csr: Csr, options: PagerankOptions = {}): PagerankResult {
  const { nodeCount } = csr;
  const { alpha = 0.85, weights, tolerance = DEFAULT_ITERATION.tolerance, maxIterations = DEFAULT_ITERATION.maxIterations } = options;
  if (nodeCount === 0) return { scores: new Float64Array(0), iterations: 0 };
  if (options.colours && options.colours.length !== nodeCount) {
    throw new RangeError(`colours: ${options.colours.length} entries for ${nodeCount} nodes`);
  }

  const walk = walkOf(csr, alpha, weights, options.colours);
  const start = scaledStart(options.start, nodeCount, sumNorm);
  const expectedTotal = expectedSum(walk, alpha);
  const z = new Float64Array(nodeCount);
  // Each node's z per unit of edge weight times α: what each of its edges carries to the other end.
  const carried = new Float64Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) {
    z[node] = start ? start[node] * expectedTotal : 1;
    carried[node] = z[node] * walk.share[node];
  }
  if (start) settleResiduals(csr, walk, z, carried, SETTLED * tolerance * expectedTotal, weights);

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const { change, total } = sweep(walk, z, carried);
    if (change < nodeCount * tolerance * total) {
      if (!options.ends) return { scores: normalised(z, total, z), iterations: iteration };
      const state = { alpha, ends: options.ends, weights: weights ?? null, z, strengths: walk.strengths, residual: residuals(walk, z, carried) };
      return { scores: normalised(z, total), iterations: iteration, state };
    }
  }
  throw new ConvergenceError('PageRank', maxIterations);
}

/** z / total, into `into` (a new array unless given). */
export function normalised(z: Float64Array, total: number, into = new Float64Array(z.length)): Float64Array {
  for (let node = 0; node < z.length; node++) into[node] = z[node] / total;
  return into;
}

/** The graph as the sweeps read it. */
interface Walk {
  offsets: Int32Array;
  neighbors: Int32Array;
  /** Weight by CSR entry, or null when every edge weighs 1. */
  entryWeights: Float64Array | null;
  /** Sum of each node's edge weights. */
  strengths: Float64Array;
  /** α / strength, 0 for dangling nodes. */
  share: Float64Array;
  /** 1 + strength / average strength: how much larger a node's residual may be than a lone node's. */
  allowance: Float64Array;
  /** Every node once, one colour of a 2-colouring before the other. */
  order: Int32Array;
  danglingCount: number;
}

function walkOf(csr: Csr, alpha: number, weights?: Float64Array, colours?: Uint8Array): Walk {
  const { nodeCount, offsets, edges } = csr;
  // Strengths and the weights in entry order in one pass over the entries.
  const strengths = new Float64Array(nodeCount);
  const entryWeights = weights ? new Float64Array(edges.length) : null;
  for (let node = 0; node < nodeCount; node++) {
    const end = offsets[node + 1];
    if (!entryWeights) {
      strengths[node] = end - offsets[node];
      continue;
    }
    let sum = 0;
    for (let entry = offsets[node]; entry < end; entry++) sum += entryWeights[entry] = weights![edges[entry]];
    strengths[node] = sum;
  }
  const { share, allowance, danglingCount } = sharesOf(strengths, alpha);
  const order = colours ? byColour(colours) : sidesFirst(csr);
  return { offsets, neighbors: csr.neighbors, entryWeights, strengths, share, allowance, order, danglingCount };
}

/** Per node α / strength (0 for a dangling node) and the allowance of its residual. */
export function sharesOf(strengths: Float64Array, alpha: number): { share: Float64Array; allowance: Float64Array; danglingCount: number } {
  const nodeCount = strengths.length;
  const share = new Float64Array(nodeCount);
  const allowance = new Float64Array(nodeCount);
  let totalStrength = 0;
  let danglingCount = 0;
  for (let node = 0; node < nodeCount; node++) totalStrength += strengths[node];
  const averageStrength = totalStrength / nodeCount || 1;
  for (let node = 0; node < nodeCount; node++) {
    const strength = strengths[node];
    if (strength > 0) share[node] = alpha / strength;
    else danglingCount++;
    allowance[node] = 1 + strength / averageStrength;
  }
  return { share, allowance, danglingCount };
}

/** Σz at the solution: summing z = 1 + α·W·z over all nodes, (1 − α)·Σz = n − α·(dangling nodes). */
function expectedSum(walk: Walk, alpha: number): number {
  return (walk.share.length - alpha * walk.danglingCount) / (1 - alpha);
}

/** What node's z should be given its neighbours' current values: 1 + Σ carried over its edges. */
function target(walk: Walk, carried: Float64Array, node: number): number {
  const { offsets, neighbors, entryWeights } = walk;
  let sum = 1;
  const end = offsets[node + 1];
  if (entryWeights) for (let entry = offsets[node]; entry < end; entry++) sum += carried[neighbors[entry]] * entryWeights[entry];
  else for (let entry = offsets[node]; entry < end; entry++) sum += carried[neighbors[entry]];
  return sum;
}

/** Each node's residual: how far its z is from 1 + Σ carried over its edges. */
function residuals(walk: Walk, z: Float64Array, carried: Float64Array): Float64Array {
  const residual = new Float64Array(z.length);
  for (let node = 0; node < z.length; node++) residual[node] = target(walk, carried, node) - z[node];
  return residual;
}

/** One Gauss–Seidel sweep in place; returns the L1 change and the new Σz. */
function sweep(walk: Walk, z: Float64Array, carried: Float64Array): { change: number; total: number } {
  const { order, share } = walk;
  let change = 0;
  let total = 0;
  for (let index = 0; index < order.length; index++) {
    const node = order[index];
    const value = target(walk, carried, node);
    change += Math.abs(value - z[node]);
    z[node] = value;
    carried[node] = value * share[node];
    total += value;
  }
  return { change, total };
}

/**
 * Settles a warm start where it is wrong, by local pushes: the nodes next to a change are far
 * over the bound and the rest of the graph is not, and settling them first costs about a sweep
 * and leaves 3 sweeps instead of 5 on the 1M-relation platform; the node worst off ends 0.8e-6
 * from the exact answer instead of 3.3e-6 (the cold answer: 0.23e-6). Past two sweeps' work the
 * sweeps take over: the further the residuals start over the stopping rule, the more pushes
 * cost next to sweeps (pagerank-update.ts, which pushes alone, gives up past 64 times over).
 */
function settleResiduals(csr: Csr, walk: Walk, z: Float64Array, carried: Float64Array, unit: number, weights?: Float64Array): void {
  const residual = residuals(walk, z, carried);
  pushResiduals({ ...csr, weights: weights ?? null, share: walk.share, allowance: walk.allowance }, { z, carried, residual }, unit, 2 * csr.neighbors.length);
}

/** What local pushes read: the CSR, weights by edge, and per node α / strength and its allowance. */
export interface PushGraph extends Csr {
  weights: Float64Array | null;
  /** α / strength, 0 for dangling nodes. */
  share: Float64Array;
  /** How many times `unit` a node's residual may stay: 1 + strength / average strength. */
  allowance: Float64Array;
}

/** The per-node vectors pushes update in place, kept consistent: carried = z · share, residual exact. */
export interface PushVectors {
  z: Float64Array;
  carried: Float64Array;
  residual: Float64Array;
}

/**
 * Local pushes (Gauss–Southwell): while a node's residual (how far its z is from 1 + Σ carried)
 * is over `unit` times its allowance, the node takes it and passes α / strength of it along
 * each edge. Each push lowers the residuals' L1 sum by at least (1 − α) times what it took.
 * Stops when no residual is over its bound, returning how much of `budget` (CSR entries to
 * visit) it left, or -1 when the budget ran out first.
 */
export function pushResiduals(graph: PushGraph, vectors: PushVectors, unit: number, budget: number): number {
  const { offsets, neighbors, edges, weights, share, allowance, nodeCount } = graph;
  const { z, carried, residual } = vectors;
  // Each node is queued at most once at a time, so a ring of nodeCount entries never overflows.
  const queued = new Uint8Array(nodeCount);
  const queue = new Int32Array(nodeCount);
  let head = 0;
  let length = 0;
  for (let node = 0; node < nodeCount; node++) {
    if (Math.abs(residual[node]) > unit * allowance[node]) {
      queue[length++] = node;
      queued[node] = 1;
    }
  }
  while (length > 0) {
    if (budget <= 0) return -1;
    const node = queue[head];
    head = head + 1 === nodeCount ? 0 : head + 1;
    length--;
    queued[node] = 0;
    const amount = residual[node];
    residual[node] = 0;
    z[node] += amount;
    const passed = amount * share[node];
    carried[node] += passed;
    const end = offsets[node + 1];
    budget -= end - offsets[node];
    for (let entry = offsets[node]; entry < end; entry++) {
      const neighbor = neighbors[entry];
      const value = (residual[neighbor] += weights ? passed * weights[edges[entry]] : passed);
      if (queued[neighbor] === 0 && Math.abs(value) > unit * allowance[neighbor]) {
        let tail = head + length;
        if (tail >= nodeCount) tail -= nodeCount;
        queue[tail] = neighbor;
        length++;
        queued[neighbor] = 1;
      }
    }
  }
  return Math.max(budget, 0);
}

/**
 * Nodes by a 2-colouring (breadth first, per component), one colour first: on a bipartite graph
 * each half of a sweep then reads only values the other half has just updated. On a graph with
 * odd cycles the colouring is imperfect, which only slows the sweeps down to at worst the pace
 * of the power iteration.
 */
function sidesFirst(csr: Csr): Int32Array {
  const { nodeCount, offsets, neighbors } = csr;
  const colour = new Int8Array(nodeCount).fill(-1);
  const queue = new Int32Array(nodeCount);
  for (let root = 0; root < nodeCount; root++) {
    if (colour[root] >= 0) continue;
    colour[root] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = root;
    while (head < tail) {
      const node = queue[head++];
      for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
        const neighbor = neighbors[entry];
        if (colour[neighbor] < 0) {
          colour[neighbor] = 1 - colour[node];
          queue[tail++] = neighbor;
        }
      }
    }
  }
  return byColour(colour);
}

/** Nodes of colour 0, then those of colour 1. */
function byColour(colour: Uint8Array | Int8Array): Int32Array {
  const order = new Int32Array(colour.length);
  let size = 0;
  for (const wanted of [0, 1]) for (let node = 0; node < colour.length; node++) if (colour[node] === wanted) order[size++] = node;
  if (size !== colour.length) throw new RangeError('colours: every node must be coloured 0 or 1');
  return order;
}
