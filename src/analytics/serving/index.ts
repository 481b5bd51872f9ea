import { config } from '../../config';
import { db } from '../../db/client';
import { GraphProjection } from './projection';
import { Analytics } from './service';

let current: Analytics | undefined;

/** The process's analytics over the configured database, created on first use. */
export function analytics(): Analytics {
  current ??= new Analytics(new GraphProjection(config().databaseUrl, db()));
  return current;
}

export async function closeAnalytics(): Promise<void> {
  await current?.close();
  current = undefined;
}
