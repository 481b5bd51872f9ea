import { type CentralityOptions, type CentralityScores, computeCentrality } from '../graph/centrality';
import { type Communities, type CommunityOptions, detectCommunities } from '../graph/communities';
import type { RelationGraph } from '../graph/relation-graph';
import { type GraphStatistics, graphStatistics } from '../graph/statistics';

/** The whole-graph computations, run where they cannot hold up requests (see runner.ts). */
export type AnalyticsTask =
  | { type: 'centrality'; options: CentralityOptions }
  | { type: 'communities'; options: CommunityOptions }
  | { type: 'statistics' };

export interface TaskResults {
  centrality: CentralityScores;
  communities: Communities;
  statistics: GraphStatistics;
}

export type TaskResult<Task extends AnalyticsTask> = TaskResults[Task['type']];

export function runTask<Task extends AnalyticsTask>(graph: RelationGraph, task: Task): TaskResult<Task> {
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
