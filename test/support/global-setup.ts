import { mkdirSync, rmSync } from 'node:fs';
import { applyMigrations } from '../../src/db/migrate';
import { createDatabase, databaseUrl, postgresServerUrl } from '../../src/db/postgres-admin';
import { templateDatabase, testDataDir } from './paths';
import { onPostgres, templateName } from './test-database';

/** Migrates one template database; each test file then starts from a copy of it. */
export default async function globalSetup(): Promise<void> {
  rmSync(testDataDir, { recursive: true, force: true });
  mkdirSync(testDataDir, { recursive: true });
  if (onPostgres) {
    await createDatabase(postgresServerUrl(), templateName());
    await applyMigrations(databaseUrl(postgresServerUrl(), templateName()));
  } else {
    await applyMigrations(`file:${templateDatabase}`);
  }
}
