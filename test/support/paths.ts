import { join } from 'node:path';

export const testDataDir = join(__dirname, '..', '..', '.tmp', 'test');
export const templateDatabase = join(testDataDir, 'template.db');
