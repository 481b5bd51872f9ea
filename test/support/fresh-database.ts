import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKeyringEntry } from '../../src/db/pii';
import { templateDatabase, testDataDir } from './paths';

// Runs before each test file: a fresh, fully migrated SQLite database of its own.
const file = join(testDataDir, `${randomUUID()}.db`);
copyFileSync(templateDatabase, file);
process.env.DATABASE_URL = `file:${file}`;
process.env.LOG_LEVEL = 'silent';
process.env.PII_KEYS = newKeyringEntry();
