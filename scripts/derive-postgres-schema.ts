import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes prisma/postgres/schema.prisma from prisma/schema.prisma, the one data model we edit.
 * Prisma fixes the datasource provider per schema file and a generated client accepts only an
 * adapter of its provider, so PostgreSQL gets its own schema file and its own generated client.
 * The Pothos types come from the SQLite schema alone: the models are the same.
 */
export const POSTGRES_SCHEMA = join(__dirname, '..', 'prisma', 'postgres', 'schema.prisma');

export function postgresSchema(sqliteSchema: string): string {
  const derived = [
    [/\n+generator pothos \{[^}]*\}/, ''],
    [/(generator client \{[^}]*output\s*=\s*)"[^"]*"/, '$1"../../src/generated/prisma-postgres"'],
    [/(datasource db \{[^}]*provider\s*=\s*)"sqlite"/, '$1"postgresql"'],
  ].reduce((schema, [pattern, replacement]) => replaceOnce(schema, pattern as RegExp, replacement as string), sqliteSchema);
  return `// Derived from prisma/schema.prisma by scripts/derive-postgres-schema.ts: edit that file, not this one.\n${derived}`;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`prisma/schema.prisma no longer matches ${pattern}; update scripts/derive-postgres-schema.ts`);
  return text.replace(pattern, replacement);
}

if (require.main === module) {
  writeFileSync(POSTGRES_SCHEMA, postgresSchema(readFileSync(join(__dirname, '..', 'prisma', 'schema.prisma'), 'utf8')));
}
