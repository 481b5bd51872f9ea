import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKeyringEntry } from '../../src/db/pii';
import { databaseUrl, postgresServerUrl } from '../../src/db/postgres-admin';
import { templateDatabase, testDataDir } from './paths';
import { onPostgres, runPrefix, templateName } from './test-database';

// Runs before each test file: a fresh, fully migrated database of its own, copied from the
// template. (Synchronous, so the URL is set before any test module loads; hence psql.)
if (onPostgres) {
  const name = `${runPrefix()}${randomUUID().replace(/-/g, '')}`;
  execFileSync('psql', [postgresServerUrl(), '--quiet', '--command', `CREATE DATABASE ${name} TEMPLATE ${templateName()}`]);
  process.env.DATABASE_URL = databaseUrl(postgresServerUrl(), name);
} else {
  const file = join(testDataDir, `${randomUUID()}.db`);
  copyFileSync(templateDatabase, file);
  process.env.DATABASE_URL = `file:${file}`;
}
process.env.LOG_LEVEL = 'silent';
process.env.PII_KEYS = newKeyringEntry();
// Webhook tests receive on 127.0.0.1; every other non-public target stays refused.
process.env.WEBHOOK_ALLOW_TARGETS ??= 'loopback';
