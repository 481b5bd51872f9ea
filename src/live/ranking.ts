import { analytics } from '../analytics/serving';
import type { CentralityMetric } from '../analytics/graph/centrality';

/** How many of a ranking's first entries `rankingChanged` and `ranking.changed` watch. */
export const WATCHED_RANKING_ENTRIES = 10;

export interface RankingEntry {
  providerId: number;
  rank: number;
}

/** The first providers of a ranking (over all relation kinds, unweighted), through the analytics service. */
export async function topProviders(metric: CentralityMetric): Promise<RankingEntry[]> {
  const result = await analytics().centrality(metric, null, 'NONE');
  return result.top('provider', WATCHED_RANKING_ENTRIES).map(({ id, rank }) => ({ providerId: Number(id), rank }));
}

/** A ranking's identity, to tell whether its first entries changed. */
export function rankingKey(entries: RankingEntry[]): string {
  return entries.map(({ providerId, rank }) => `${providerId}:${rank}`).join(',');
}
