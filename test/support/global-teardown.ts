import { dropDatabases, postgresServerUrl } from '../../src/db/postgres-admin';
import { onPostgres, runPrefix } from './test-database';

/** Drops the PostgreSQL databases this run made (SQLite files go with the next run's setup). */
export default async function globalTeardown(): Promise<void> {
  if (onPostgres) await dropDatabases(postgresServerUrl(), runPrefix());
}
