import type { Adjacency } from './adjacency';

/**
 * The shortest chain of nodes from one node to another, both included, or null when none exists
 * (or either is −1). A bidirectional breadth-first search, always growing the smaller frontier:
 * on the request thread it touches only the nodes near the path.
 */
export function shortestPath(graph: Adjacency, from: number, to: number): number[] | null {
  if (from < 0 || to < 0 || !graph.isNode(from) || !graph.isNode(to)) return null;
  if (from === to) return [from];
  const forward = new Map<number, number>([[from, -1]]);
  const backward = new Map<number, number>([[to, -1]]);
  let forwardFrontier = [from];
  let backwardFrontier = [to];
  while (forwardFrontier.length > 0 && backwardFrontier.length > 0) {
    const growForward = forwardFrontier.length <= backwardFrontier.length;
    const [seen, other] = growForward ? [forward, backward] : [backward, forward];
    const next: number[] = [];
    let meeting = -1;
    for (const node of growForward ? forwardFrontier : backwardFrontier) {
      graph.forEachNeighbor(node, (neighbor) => {
        if (meeting !== -1 || seen.has(neighbor)) return;
        seen.set(neighbor, node);
        if (other.has(neighbor)) meeting = neighbor;
        next.push(neighbor);
      });
      if (meeting !== -1) return joined(forward, backward, meeting);
    }
    if (growForward) forwardFrontier = next;
    else backwardFrontier = next;
  }
  return null;
}

/** The path through `meeting`: its forward parents back to the start, then its backward parents to the end. */
function joined(forward: Map<number, number>, backward: Map<number, number>, meeting: number): number[] {
  const path: number[] = [];
  for (let node = meeting; node !== -1; node = forward.get(node)!) path.unshift(node);
  for (let node = backward.get(meeting)!; node !== -1; node = backward.get(node)!) path.push(node);
  return path;
}
