import { randomUUID } from 'node:crypto';

/**
 * Which database the tests run on: SQLite files by default, PostgreSQL databases on the server
 * POSTGRES_SERVER_URL names when TEST_DATABASE=postgres. Each run names its PostgreSQL databases
 * with a prefix of its own, so runs side by side do not meet, and its teardown drops them all.
 */
export const onPostgres = process.env.TEST_DATABASE === 'postgres';

export function runPrefix(): string {
  process.env.RAPPORT_TEST_RUN ??= `rapport_test_${randomUUID().slice(0, 8)}_`;
  return process.env.RAPPORT_TEST_RUN;
}

export const templateName = () => `${runPrefix()}template`;
