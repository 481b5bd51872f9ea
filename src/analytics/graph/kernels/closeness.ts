import type { Csr } from '../csr';
import type { CentralityScores } from '../centrality';
import { type PathMetricOptions, sampleSources } from './sampling';

/**
 * Closeness centrality as networkx computes it without Wasserman–Faust's correction: the
 * number of other nodes a node reaches over their summed hop distance (0 for a node that
 * reaches none), so in a disconnected graph a node is scored within its own component.
 */
export function closenessCentrality(csr: Csr): Float64Array {
  const search = new BreadthFirstSearch(csr);
  const scores = new Float64Array(csr.nodeCount);
  for (let node = 0; node < csr.nodeCount; node++) scores[node] = search.from(node).closeness();
  return scores;
}

/**
 * Exact closeness up to `exactMaxNodes` nodes; past it, Eppstein and Wang's estimate (2004):
 * a breadth-first search from each of `samples` sources drawn with seedrandom(seed), and each
 * node's mean distance taken over the k' sampled sources it is reached from. Sampled sources
 * keep their exact score, as do nodes whose component received no source (searched from
 * themselves). Error bound: distances lie in [1, Δ] (Δ the component's diameter), so by
 * Hoeffding's inequality a node's estimated mean distance is within Δ·√(ln(2/δ) / (2k')) of
 * the exact one with probability at least 1 − δ; its closeness is the inverse of that mean.
 */
export function closeness(csr: Csr, options: PathMetricOptions): CentralityScores {
  const { nodeCount } = csr;
  if (nodeCount <= options.exactMaxNodes) return { scores: closenessCentrality(csr), approximate: false, sampleSize: null };

  const sources = sampleSources(nodeCount, Math.min(options.samples, nodeCount), options.seed);
  const search = new BreadthFirstSearch(csr);
  const reachedBy = new Int32Array(nodeCount);
  const distanceSum = new Float64Array(nodeCount);
  const scores = new Float64Array(nodeCount);
  const isSource = new Uint8Array(nodeCount);
  for (const source of sources) {
    isSource[source] = 1;
    scores[source] = search.from(source).closeness();
    for (let index = 1; index < search.reached; index++) {
      const node = search.order[index];
      reachedBy[node]++;
      distanceSum[node] += search.distance[node];
    }
  }
  for (let node = 0; node < nodeCount; node++) {
    if (isSource[node]) continue;
    scores[node] = reachedBy[node] > 0 ? reachedBy[node] / distanceSum[node] : search.from(node).closeness();
  }
  return { scores, approximate: true, sampleSize: sources.length };
}

/** Hop distances from one source; the buffers serve source after source. */
class BreadthFirstSearch {
  /** Reached nodes in visiting order, the source first; `reached` of them. */
  readonly order: Int32Array;
  readonly distance: Int32Array;
  reached = 0;
  private readonly visitedIn: Int32Array;
  private search = 0;

  constructor(private readonly csr: Csr) {
    this.order = new Int32Array(csr.nodeCount);
    this.distance = new Int32Array(csr.nodeCount);
    // Marked with the search's number, so that no clearing is needed between searches.
    this.visitedIn = new Int32Array(csr.nodeCount);
  }

  from(source: number): this {
    const { offsets, neighbors } = this.csr;
    const { order, distance, visitedIn } = this;
    const mark = ++this.search;
    visitedIn[source] = mark;
    distance[source] = 0;
    order[0] = source;
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const node = order[head];
      for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
        const neighbor = neighbors[entry];
        if (visitedIn[neighbor] === mark) continue;
        visitedIn[neighbor] = mark;
        distance[neighbor] = distance[node] + 1;
        order[tail++] = neighbor;
      }
    }
    this.reached = tail;
    return this;
  }

  /** The last search's source's closeness: nodes reached over their summed distance. */
  closeness(): number {
    let total = 0;
    for (let index = 1; index < this.reached; index++) total += this.distance[this.order[index]];
    return total > 0 && this.csr.nodeCount > 1 ? (this.reached - 1) / total : 0;
  }
}
