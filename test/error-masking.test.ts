import pino from 'pino';
import { config } from '../src/config';
import { type Db, createDb, useDb } from '../src/db/client';
import { createApp } from '../src/server/app';

// A database that fails the way a broken disk would, to see what clients and logs get.
useDb(
  createDb(config().databaseUrl).$extends({
    query: {
      async $allOperations() {
        throw new Error('SQLITE_IOERR: disk I/O error at /secret/path/rapport.db');
      },
    },
  }) as unknown as Db,
);

describe('unexpected errors', () => {
  it('are masked for clients and logged with their cause', async () => {
    const logged: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(line) });
    const app = createApp({ logger, production: true });

    const response = await app.fetch('http://rapport.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Anonymous, on the public directory: no key lookup, so the failure is the resolver's.
      body: JSON.stringify({ query: '{ providers { totalCount } }' }),
    });
    const body = await response.json();

    expect(body.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(logged.join('\n')).toContain('SQLITE_IOERR: disk I/O error at /secret/path/rapport.db');
  });
});
