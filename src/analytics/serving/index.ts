import { config } from '../../config';
import { lastChangeId } from '../../db/change-log';
import { db } from '../../db/client';
import { driver } from '../../db/driver';
import { GraphProjection } from './projection';
import { SegmentMemberships } from './segment-memberships';
import { Analytics, DEFAULT_ANALYTICS_SETTINGS } from './service';
import { WindowGraphs } from './window-graphs';

let current: Analytics | undefined;
let memberships: SegmentMemberships | undefined;

/** The process's analytics over the configured database, created on first use. */
export function analytics(): Analytics {
  if (!current) {
    const { databaseUrl, graphFile } = config();
    const settings = DEFAULT_ANALYTICS_SETTINGS;
    const windows = new WindowGraphs(databaseUrl, settings.windowGraphPairs, lastChangeId);
    current = new Analytics(new GraphProjection(databaseUrl, db(), driver(), graphFile), settings, windows);
  }
  return current;
}

/** The process's saved segments' memberships, kept by its analytics. */
export function segmentMemberships(): SegmentMemberships {
  memberships ??= new SegmentMemberships(analytics(), db(), driver(), lastChangeId);
  return memberships;
}

/**
 * Reads the configured database's relation graph and saves it to the configured graph file, so
 * that the next start reads that instead of every relation: what `db:seed` leaves behind. Says
 * where it saved, or undefined when no graph file is configured.
 */
export async function saveGraphFile(): Promise<string | undefined> {
  const { databaseUrl, graphFile } = config();
  if (!graphFile) return undefined;
  const projection = new GraphProjection(databaseUrl, db(), driver(), graphFile);
  await projection.load();
  return (await projection.save()) ? graphFile : undefined;
}

export async function closeAnalytics(): Promise<void> {
  const closing = memberships;
  memberships = undefined;
  await closing?.close();
  await current?.close();
  current = undefined;
}
