import { type CentralityOptions, type CentralityScores, computeCentrality } from '../graph/centrality';
import { type Communities, type CommunityOptions, detectCommunities } from '../graph/communities';
import { type RelationGraph, addParty, createRelationGraph } from '../graph/relation-graph';
import { type GraphSnapshot, SIDES, edgeCounts, restrictSnapshot } from '../graph/snapshot';
import { type GraphStatistics, graphStatistics } from '../graph/statistics';

/** Which edges a whole-graph task covers and what they weigh. */
export interface TaskGraph {
  /** Relation kinds as a mask over KINDS. */
  kinds: number;
  /** Each edge's relationship strength in snapshot edge order, when the task weighs by it. */
  strengths?: Float64Array;
}

/** The whole-graph computations, run where they cannot hold up requests (see runner.ts). */
export type AnalyticsTask = TaskGraph &
  (
    | { type: 'centrality'; options: CentralityOptions }
    | { type: 'communities'; options: CommunityOptions }
    | { type: 'statistics' }
  );

export interface TaskResults {
  centrality: CentralityScores;
  communities: Communities;
  statistics: GraphStatistics;
}

export type TaskResult<Task extends AnalyticsTask> = TaskResults[Task['type']];

/** Runs a task on a snapshot; per-node results are in the snapshot's node order. */
export function runTask<Task extends AnalyticsTask>(snapshot: GraphSnapshot, task: Task): TaskResult<Task> {
  const graph = relationGraphOf(snapshot, task);
  switch (task.type) {
    case 'centrality':
      return computeCentrality(graph, task.options) as TaskResult<Task>;
    case 'communities':
      return detectCommunities(graph, task.options) as TaskResult<Task>;
    case 'statistics':
      return graphStatistics(graph) as TaskResult<Task>;
  }
  throw new Error(`Unknown analytics task ${JSON.stringify(task)}`);
}

/** The snapshot as a graphology graph over the task's kinds, nodes in snapshot order. */
function relationGraphOf(full: GraphSnapshot, task: TaskGraph): RelationGraph {
  const { snapshot, kept } = restrictSnapshot(full, task.kinds);
  const counts = edgeCounts(snapshot, task.kinds);
  const graph = createRelationGraph();
  const keys = Array.from(snapshot.ids, (id, node) => addParty(graph, SIDES[snapshot.sides[node]], id));
  const { offsets, neighbors, edges } = snapshot.csr;
  for (let node = 0; node < keys.length; node++) {
    for (let entry = offsets[node]; entry < offsets[node + 1]; entry++) {
      if (neighbors[entry] < node) continue;
      const edge = edges[entry];
      graph.addEdge(keys[node], keys[neighbors[entry]], {
        count: counts[edge],
        kinds: {},
        strength: task.strengths?.[kept[edge]],
      });
    }
  }
  return graph;
}
