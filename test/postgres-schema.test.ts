import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES_SCHEMA, postgresSchema } from '../scripts/derive-postgres-schema';

it('keeps prisma/postgres/schema.prisma derived from prisma/schema.prisma', () => {
  const source = readFileSync(join(__dirname, '..', 'prisma', 'schema.prisma'), 'utf8');
  expect(readFileSync(POSTGRES_SCHEMA, 'utf8')).toBe(postgresSchema(source));
});

it('says what to fix when the source schema no longer has the expected shape', () => {
  expect(() => postgresSchema('datasource db {}')).toThrow(/no longer matches/);
});
