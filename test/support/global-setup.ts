import { mkdirSync, rmSync } from 'node:fs';
import { applyMigrations } from '../../src/db/migrate';
import { templateDatabase, testDataDir } from './paths';

/** Migrates one template database; each test file then starts from a copy of it. */
export default async function globalSetup(): Promise<void> {
  rmSync(testDataDir, { recursive: true, force: true });
  mkdirSync(testDataDir, { recursive: true });
  await applyMigrations(`file:${templateDatabase}`);
}
