import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Dialect, dialectOf } from '../src/db/dialect';

/**
 * Prisma 6.19's CLI, installed as the npm package `prisma-cli-6`, for what Prisma 7's CLI cannot
 * do here (`db pull`, `migrate diff`, `migrate status`): its WebAssembly schema engine needs no
 * download. prisma-cli-6.config.ts gives it a driver adapter. It also insists on a datasource
 * `url` in the schema, which Prisma 7 refuses, so it reads a copy of the schema with one.
 */
const root = join(__dirname, '..');
const cli = join(root, 'node_modules', 'prisma-cli-6', 'build', 'index.js');

const SCHEMA: Record<Dialect, { file: string; placeholderUrl: string }> = {
  sqlite: { file: join(root, 'prisma', 'schema.prisma'), placeholderUrl: 'file:./dev.db' },
  postgres: { file: join(root, 'prisma', 'postgres', 'schema.prisma'), placeholderUrl: 'postgresql://localhost/rapport' },
};

/** Writes into `folder` the dialect's schema with the `url` Prisma 6 needs (the adapter's URL wins); its path. */
export function prisma6Schema(dialect: Dialect, folder: string): string {
  const { file, placeholderUrl } = SCHEMA[dialect];
  const schema = readFileSync(file, 'utf8');
  const withUrl = schema.replace(/(datasource db \{[^}]*provider\s*=\s*"[^"]*")/, `$1\n  url      = "${placeholderUrl}"`);
  if (withUrl === schema) throw new Error(`${file} has no datasource block that scripts/prisma-cli-6.ts recognises`);
  const copy = join(folder, `${dialect}.prisma`);
  writeFileSync(copy, withUrl);
  return copy;
}

/** Runs Prisma 6.19's CLI on `databaseUrl`, reading the schema copy it writes in `folder`; what it printed. */
export function runPrisma6(databaseUrl: string, folder: string, args: string[]): string {
  const schema = prisma6Schema(dialectOf(databaseUrl), folder);
  return execFileSync(process.execPath, [cli, ...args, '--config', join(root, 'prisma-cli-6.config.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA6_SCHEMA: schema },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
