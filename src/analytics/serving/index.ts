import { config } from '../../config';
import { lastChangeId } from '../../db/change-log';
import { db } from '../../db/client';
import { GraphProjection } from './projection';
import { Analytics, DEFAULT_ANALYTICS_SETTINGS } from './service';
import { WindowGraphs } from './window-graphs';

let current: Analytics | undefined;

/** The process's analytics over the configured database, created on first use. */
export function analytics(): Analytics {
  const { databaseUrl } = config();
  const settings = DEFAULT_ANALYTICS_SETTINGS;
  current ??= new Analytics(new GraphProjection(databaseUrl, db()), settings, new WindowGraphs(databaseUrl, settings.windowGraphs, lastChangeId));
  return current;
}

export async function closeAnalytics(): Promise<void> {
  await current?.close();
  current = undefined;
}
