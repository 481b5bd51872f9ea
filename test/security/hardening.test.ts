import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { Writable } from 'node:stream';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { db } from '../../src/db/client';
import { dialectOf, sqliteFilePath } from '../../src/db/dialect';
import { failedAccess } from '../../src/domain/audit';
import { loadDemoData } from '../../src/domain/demo-data';
import { pacingDelay } from '../../src/server/admission';
import { type AppOptions, createApp } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { documentHash } from '../../src/server/protection';
import { RECORD_RELATION, createConsumer, createProvider, purchase, recordRelation } from '../support/factories';
import { adminKey, execute, keyFor, run } from '../support/graphql';
import { onPostgres } from '../support/test-database';

// Each attack of issue 12, made through HTTP (yoga.fetch), refused or made harmless.

const UNLIMITED = { perMinute: 1_000_000, perAddressPerMinute: 1_000_000, authFailuresPerMinute: 1_000_000, concurrentPerAddress: 1_000_000 };

function testApp(options: Partial<AppOptions> = {}) {
  return createApp({ logger: createLogger('silent'), production: false, ...options, rateLimit: { ...UNLIMITED, ...options.rateLimit } });
}

type TestApp = ReturnType<typeof testApp>;

function post(app: TestApp, body: unknown, key?: string | null) {
  return app.fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

let demo: { providerIds: string[]; consumerIds: string[] };

beforeAll(async () => {
  await loadDemoData();
  const data = await run('{ providers(first: 100) { edges { node { id } } } consumers(first: 100) { edges { node { id } } } }');
  demo = {
    providerIds: data.providers.edges.map((edge: any) => edge.node.id),
    consumerIds: data.consumers.edges.map((edge: any) => edge.node.id),
  };
});

describe('cost is checked with the variables of each execution', () => {
  const nested = (aliases: number) =>
    `query ($n: Int) { ${Array.from({ length: aliases }, (_, index) => `a${index}: relations(first: $n) { edges { node { consumer {
      relations(first: $n) { edges { node { provider { relations(first: $n) { edges { node { id } } } } } } } } } } }`).join(' ')} }`;

  it('refuses the nested page sizes passed as variables that ran the process out of memory', async () => {
    const key = await keyFor('PROVIDER', demo.providerIds[0]);
    const started = performance.now();
    const result = await execute(nested(30), { n: 100 }, { key });
    expect(result.data ?? undefined).toBeUndefined();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', limit: 25_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
    // The same document with small pages is fine: the limit is on what is asked, not on the shape.
    expect((await execute(nested(1), { n: 2 }, { key })).errors).toBeUndefined();
  });

  it('costs the page sizes of analytics fields and nested similarProviders', async () => {
    const key = await keyFor('CONSUMER', demo.consumerIds[0]);
    const similar = `query ($m: Int) { providers(first: 10) { edges { node { similarProviders(first: $m) { provider {
      similarProviders(first: $m) { provider { similarProviders(first: $m) { provider { name } } } } } } } } } }`;
    const refused = await execute(similar, { m: 100 }, { key });
    expect(refused.errors?.[0].extensions?.code).toBe('COST_LIMIT_EXCEEDED');
    const ranking = `query ($n: Int) { providerRanking(metric: DEGREE, first: $n) { entries { provider {
      similarProviders(first: 100) { provider { name } } } } } }`;
    expect((await execute(ranking, { n: 1000 }, { key })).errors?.[0].extensions?.code).toBe('COST_LIMIT_EXCEEDED');
    expect((await execute(ranking, { n: 3 }, { key })).errors).toBeUndefined();
  });

  it('bounds list arguments: nodes(ids:) takes at most 100 IDs', async () => {
    const ids = Array.from({ length: 101 }, (_, index) => demo.providerIds[index % demo.providerIds.length]);
    const result = await execute('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'INPUT_TOO_LARGE' } });
    expect(result.errors?.[0].message).toMatch(/nodes\(ids:\) has a list of 101 items; at most 100/);
    expect((await execute('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ids.slice(0, 100) })).errors).toBeUndefined();
  });

  it('bounds texts: a 60,000-character nameContains is refused before it reaches the database', async () => {
    const query = 'query ($name: String) { providers(filter: { nameContains: $name }) { totalCount } }';
    const huge = await execute(query, { name: 'x'.repeat(60_000) }, { key: null });
    expect(huge.errors?.[0].extensions?.code).toBe('INPUT_TOO_LARGE');
    const long = await execute(query, { name: 'x'.repeat(300) }, { key: null });
    expect(long.errors?.[0]).toMatchObject({ extensions: { code: 'InvalidInputError' } });
    expect(long.errors?.[0].message).toMatch(/filter\.nameContains: must be at most 200 characters/);
  });

  it('treats % and _ in nameContains as themselves, never as wildcards', async () => {
    const query = 'query ($name: String) { providers(filter: { nameContains: $name }) { totalCount } }';
    for (const name of ['%', '_']) {
      const result = await execute(query, { name }, { key: null });
      if (onPostgres) expect(result.data.providers.totalCount).toBe(0);
      else expect(result.errors?.[0].message).toMatch(/cannot contain % or _ on the embedded SQLite database/);
    }
  });
});

describe('responses, bodies and names are bounded', () => {
  it('replaces a response larger than the cap by an error', async () => {
    const app = testApp({ maxResponseBytes: 500 });
    const body = await (await post(app, { query: '{ providers(first: 100) { edges { node { name description website } } } }' })).json();
    expect(body.errors[0].extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 500 });
    expect(body.data ?? null).toBeNull();
  });

  it('refuses a body over the limit (1 MB by default) with 413, before parsing it', async () => {
    const response = await post(testApp(), { query: '{ viewer { role } }', variables: { padding: 'x'.repeat(1_100_000) } });
    expect(response.status).toBe(413);
  });

  describe('through node:http', () => {
    const server = createServer(testApp());
    beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
    afterAll(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });

    /** Writes a POST /graphql with `headers` and the `body` pieces as they are, and reads the answer to the end. */
    function exchange(headers: string[], body: string[]): Promise<{ status: number; body: string }> {
      const { port } = server.address() as AddressInfo;
      return new Promise((resolve, reject) => {
        let received = '';
        const socket = connect(port, '127.0.0.1');
        // A server that waits for more body than it will ever get answers nothing: end the wait.
        socket.setTimeout(5000, () => socket.destroy());
        socket.on('data', (chunk) => (received += chunk));
        // The server may answer and close before the body is all written: what it answered counts.
        socket.on('error', (error) => (received ? undefined : reject(error)));
        socket.on('close', () => {
          const [head, ...rest] = received.split('\r\n\r\n');
          resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: rest.join('\r\n\r\n') });
        });
        const head = ['POST /graphql HTTP/1.1', 'Host: rapport.test', 'Content-Type: application/json', 'Connection: close', ...headers];
        socket.write(`${head.join('\r\n')}\r\n\r\n`);
        for (const piece of body) socket.write(piece);
      });
    }
    const withLength = (body: string, length: number | string = Buffer.byteLength(body)) => exchange([`Content-Length: ${length}`], [body]);
    const chunked = (pieces: string[]) =>
      exchange(['Transfer-Encoding: chunked'], [...pieces.map((piece) => `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`), '0\r\n\r\n']);

    const small = JSON.stringify({ query: '{ __typename }' });
    const large = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(1_100_000) } });
    const typename = JSON.stringify({ data: { __typename: 'Query' } });

    it('answers a body within the limit, sent with its length or chunked', async () => {
      expect(await withLength(small)).toEqual({ status: 200, body: typename });
      expect(await chunked([small.slice(0, 5), small.slice(5)])).toEqual({ status: 200, body: typename });
    });

    it('refuses a chunked body, which declares no length, once it passes the limit', async () => {
      const answer = await chunked(large.match(/[^]{1,100000}/g)!);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    });

    it('refuses a declared length over the limit before reading the body, and lengths that are not one number', async () => {
      expect((await exchange(['Content-Length: 1100000'], [])).status).toBe(413);
      expect((await withLength(small, `${small.length}, ${small.length}`)).status).toBe(400);
      expect((await withLength(small, -1)).status).toBe(400);
    });
  });

  it('refuses long operation names, and labels metrics only with the names of parsed operations', async () => {
    const app = testApp();
    const longName = await post(app, { query: '{ viewer { role } }', operationName: 'N'.repeat(1000) });
    expect(longName.status).toBe(400);
    expect((await longName.json()).errors[0].extensions.code).toBe('OPERATION_NAME_TOO_LONG');
    await post(app, { query: '{ viewer { role } }', operationName: 'NotInTheDocument' });
    await post(app, { query: 'query Named { viewer { role } }', operationName: 'Named' });
    const metrics = await (await app.fetch('http://rapport.test/metrics')).text();
    expect(metrics).not.toContain('NotInTheDocument');
    expect(metrics).toContain('operation="Named"');
  });

  it('refuses documents longer than 50,000 characters before parsing them', async () => {
    const response = await post(testApp(), { query: `{ viewer { role } } # ${'x'.repeat(60_000)}` });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].extensions.code).toBe('DOCUMENT_TOO_LARGE');
  });
});

describe('rate limits apply before parsing', () => {
  it('counts invalid documents against the address, per second and per minute', async () => {
    const app = testApp({ rateLimit: { perAddressPerMinute: 2 } }); // so 1 a second
    const invalid = async () => {
      const response = await post(app, { query: '{ invalid ' });
      return [response.status, (await response.json()).errors[0].message.slice(0, 12)];
    };
    const pause = () => new Promise((resolve) => setTimeout(resolve, 1_100));
    const answers = [await invalid(), await invalid(), await pause().then(invalid), await pause().then(invalid)];
    expect(answers).toEqual([
      [200, 'Syntax Error'],
      [429, 'Too many req'], // the second's budget
      [200, 'Syntax Error'],
      [429, 'Too many req'], // the minute's budget
    ]);
  });

  it('holds back only the requests past half of a second’s budget, spreading them over the rest of it', async () => {
    expect([1, 5, 10].map((consumed) => pacingDelay(consumed, 10, 900))).toEqual([0, 0, 450]);
    expect(pacingDelay(6, 10, 700)).toBe(117); // the 6th of 10 with 700 ms left: a sixth of them, as execEvenly spaces
    expect(pacingDelay(9, 10, 10)).toBe(100); // at the end of the second: still a tenth of a second
    expect(pacingDelay(1, 1, 900)).toBe(0); // a budget of one a second: that one goes at once

    await post(testApp(), { query: '{ viewer { role } }' }); // compiled and warm: the 6 below fit in one second
    const app = testApp({ rateLimit: { perAddressPerMinute: 600 } }); // so 10 a second
    const timed = async () => {
      const started = performance.now();
      expect((await post(app, { query: '{ viewer { role } }' })).status).toBe(200);
      return performance.now() - started;
    };
    const times = [];
    while (times.length < 6) times.push(await timed());
    // The 6th of 10 in one second waits at least a tenth of it.
    expect(times[5]).toBeGreaterThanOrEqual(100);
  });

  it('limits the requests one address has in progress at once', async () => {
    const app = testApp({ rateLimit: { concurrentPerAddress: 2 } });
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(app, { query: '{ providers(first: 5) { totalCount } }' })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    const refused = await responses.find((response) => response.status === 429)!.json();
    expect(refused.errors[0].message).toMatch(/at most 2 at once from one address/);
    expect((await post(app, { query: '{ providers(first: 5) { totalCount } }' })).status).toBe(200); // all finished: room again
  });

  it('counts failed authentications, then refuses the address even with a valid key', async () => {
    const app = testApp({ rateLimit: { authFailuresPerMinute: 3 } });
    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push((await post(app, { query: '{ viewer { role } }' }, `rpk_wrong${index}`)).status);
    statuses.push((await post(app, { query: '{ viewer { role } }' }, await adminKey())).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('runs only trusted documents in trusted-documents mode, except for admin keys', async () => {
    const trusted = '{ providers(first: 1) { totalCount } }';
    const app = testApp({ trustedDocuments: new Map([[documentHash(trusted), trusted]]) });
    expect((await (await post(app, { query: trusted }, null)).json()).data.providers.totalCount).toBe(8);
    const byHash = await (await post(app, { documentId: documentHash(trusted) }, null)).json();
    expect(byHash.data.providers.totalCount).toBe(8);
    const other = await post(app, { query: '{ providers(first: 2) { totalCount } }' }, null);
    expect(other.status).toBe(400);
    expect((await other.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(app, { query: '{ viewer { role } }' }, await adminKey())).status).toBe(200);
  });
});

describe('scope', () => {
  it('refuses a cursor taken from another provider’s rows, and malformed cursors, with typed input errors', async () => {
    const [mine, theirs] = [await createProvider(), await createProvider()];
    const consumer = await createConsumer();
    await purchase(consumer.id, mine.id);
    await purchase(consumer.id, theirs.id);
    const theirCursor = (await run('query ($id: ID!) { provider(id: $id) { relations(first: 1) { edges { cursor } } } }', { id: theirs.id }))
      .provider.relations.edges[0].cursor;
    const key = await keyFor('PROVIDER', mine.id);
    for (const document of [
      'query ($after: String) { relations(first: 5, after: $after) { edges { node { id } } } }',
      `query ($after: String) { provider(id: "${mine.id}") { relations(first: 5, after: $after) { edges { node { id } } } } }`,
    ]) {
      const foreign = await execute(document, { after: theirCursor }, { key });
      expect(foreign.errors?.[0]).toMatchObject({ extensions: { code: 'InvalidInputError' } });
      expect(foreign.errors?.[0].message).toMatch(/after: is not a cursor of this list/);
      const malformed = await execute(document, { after: 'R1BDOlM6bm90LWFuLWlk' }, { key });
      expect(malformed.errors?.[0]).toMatchObject({ extensions: { code: 'InvalidInputError' } });
    }
    // Lists computed in memory (communities, relationships) take only the offsets they issued.
    const communities = 'query ($after: String) { communities { communities(first: 1, after: $after) { edges { cursor } } } }';
    for (const after of ['garbage', 'T2Zmc2V0Q29ubmVjdGlvbjp4', theirCursor]) {
      expect((await execute(communities, { after })).errors?.[0]).toMatchObject({ extensions: { code: 'InvalidInputError' } });
    }
    const issued = (await run(communities, { after: null })).communities.communities.edges[0].cursor;
    expect((await execute(communities, { after: issued })).errors).toBeUndefined();
    const own = (await run('{ relations(first: 1) { edges { cursor } } }', {}, { key })).relations.edges[0].cursor;
    expect((await execute('query ($after: String) { relations(first: 5, after: $after) { totalCount } }', { after: own }, { key })).errors).toBeUndefined();
  });

  it('hides small counts from non-admins: a provider with one customer learns nothing of that customer’s providers', async () => {
    const [newcomer, other] = [await createProvider(), await createProvider()];
    const customer = await createConsumer();
    await purchase(customer.id, newcomer.id);
    await purchase(customer.id, other.id);
    const query = 'query ($id: ID!) { provider(id: $id) { similarProviders(first: 20) { provider { id } sharedConsumers } } }';
    const asAdmin = await run(query, { id: newcomer.id });
    expect(asAdmin.provider.similarProviders).toContainEqual({ provider: { id: other.id }, sharedConsumers: 1 });
    const asProvider = await run(query, { id: newcomer.id }, { key: await keyFor('PROVIDER', newcomer.id) });
    expect(asProvider.provider.similarProviders).toEqual([]);
  });
});

describe('logs', () => {
  function capturedApp(level: 'debug' | 'info') {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) });
    const app = createApp({ logger: createLogger(level, destination), production: false, rateLimit: UNLIMITED });
    return { app, lines };
  }

  it('logs errors callers cause at debug, without the document or the values they sent', async () => {
    const { app, lines } = capturedApp('debug');
    const consumer = await createConsumer();
    const key = await keyFor('CONSUMER', consumer.id);
    await post(app, {
      query: 'mutation ($input: CreateConsumerInput!) { createConsumer(input: $input) { __typename } }',
      variables: { input: { name: 'Hidden Person', email: 'hidden.person@example.com' } },
    }, key);
    await post(app, { query: 'query ($id: ID!) { consumer(id: $id) { name } }', variables: { id: 'hidden.person@example.com' } }, key);
    const log = lines.join('');
    expect(log).toContain('"code":"ForbiddenError"');
    expect(log).toContain('"code":"InvalidInputError"');
    expect(log).not.toMatch(/hidden\.person|Hidden Person|GraphQL request:|createConsumer\(input/);
    expect(lines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });

  it('redacts personal fields from every log line', () => {
    const { lines } = capturedApp('info');
    const destination = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) });
    createLogger('info', destination).info({ consumer: { name: 'Ada', email: 'ada@example.com', phone: '+441234567' }, variables: { x: 1 } }, 'seen');
    expect(lines.join('')).not.toMatch(/Ada|ada@example|441234567|"x":1/);
  });
});

describe('introspection and suggestions in production', () => {
  const production = () => testApp({ production: true, introspection: 'admin' });

  it('lets only admin keys introspect', async () => {
    const app = production();
    const anonymous = await (await post(app, { query: '{ __schema { types { name } } }' })).json();
    expect(anonymous.errors[0].extensions.code).toBe('INTROSPECTION_FORBIDDEN');
    const provider = await (await post(app, { query: '{ __type(name: "Consumer") { fields { name } } }' }, await keyFor('PROVIDER', demo.providerIds[0]))).json();
    expect(provider.errors[0].extensions.code).toBe('INTROSPECTION_FORBIDDEN');
    const admin = await (await post(app, { query: '{ __schema { types { name } } }' }, await adminKey())).json();
    expect(admin.data.__schema.types.length).toBeGreaterThan(10);
  });

  it('suggests nothing: no field, argument, type or enum value names', async () => {
    const app = production();
    const key = await adminKey();
    const answers = await Promise.all([
      post(app, { query: '{ providers { edges { node { nam } } } }' }, key),
      post(app, { query: '{ providerRanking(metric: PAGERNK) { graphVersion } }' }, key),
      post(app, { query: 'query ($m: CentralityMetric!) { providerRanking(metric: $m) { graphVersion } }', variables: { m: 'PAGERNK' } }, key),
      post(app, { query: '{ providers(firs: 1) { totalCount } }' }, key),
    ]);
    for (const answer of answers) {
      const body = await answer.json();
      expect(body.errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(body.errors)).not.toMatch(/Did you mean/);
    }
  });
});

describe('audit', () => {
  it('counts failed authentications and anonymous mutations per address and minute instead of storing each', async () => {
    await failedAccess.flush(); // what earlier tests of this file left
    await db().failedAccess.deleteMany();
    const app = testApp();
    const before = await db().auditEntry.count();
    for (let index = 0; index < 12; index++) await post(app, { query: '{ viewer { role } }' }, `rpk_guess${index}`);
    for (let index = 0; index < 30; index++) {
      await post(app, { query: `mutation { deleteRelation(id: "${encodeGlobalID('Relation', index + 1)}") { __typename } }` }, null);
    }
    await app.dispose(); // flushes the tally, as the server does every minute
    expect(await db().auditEntry.count()).toBe(before);
    const rows = await db().failedAccess.findMany({ where: { address: 'in-process' } });
    const attempts = (reason: string) => rows.filter((row) => row.reason === reason).reduce((sum, row) => sum + row.attempts, 0);
    expect(attempts('INVALID_KEY')).toBe(12);
    expect(attempts('ANONYMOUS_MUTATION')).toBe(30);
    expect(rows.length).toBeLessThanOrEqual(4); // one row per reason and minute
  });

  it('writes the audit entry in the write’s own transaction: no entry, no write', async () => {
    const failAudit = onPostgres
      ? [
          `CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit unavailable'; END $$ LANGUAGE plpgsql`,
          `CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditEntry" FOR EACH ROW WHEN (NEW."operation" = 'createProvider') EXECUTE FUNCTION refuse_audit()`,
        ]
      : [`CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditEntry" WHEN NEW."operation" = 'createProvider' BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`];
    for (const statement of failAudit) await db().$executeRawUnsafe(statement);
    try {
      const result = await execute(
        'mutation { createProvider(input: { name: "Unaudited", contactEmail: "u@example.com", category: "misc" }) { __typename } }',
      );
      expect(result.errors?.[0].message).toBe('Unexpected error.');
      expect(await db().provider.count({ where: { name: 'Unaudited' } })).toBe(0);
    } finally {
      await db().$executeRawUnsafe('DROP TRIGGER refuse_audit' + (onPostgres ? ' ON "AuditEntry"' : ''));
    }
  });
});

describe('plausibility', () => {
  it('refuses an amount above the ceiling for its currency', async () => {
    const [consumer, provider] = [demo.consumerIds[0], demo.providerIds[0]];
    const data = await run(RECORD_RELATION, {
      input: { consumerId: consumer, providerId: provider, kind: 'PURCHASE', amountMinor: 2_147_483_647, currency: 'EUR' },
    });
    expect(data.recordRelation.__typename).toBe('InvalidInputError');
    expect(data.recordRelation.issues[0]).toMatchObject({ field: 'amountMinor' });
    expect(data.recordRelation.issues[0].message).toMatch(/at most 10000000 minor units of EUR/);
  });

  it('counts a consumer’s repeated reviews of one provider once, the latest, in its rating', async () => {
    const provider = await createProvider();
    const [loud, quiet] = [await createConsumer(), await createConsumer()];
    const review = (consumerId: string, rating: number, occurredAt: string) =>
      recordRelation({ consumerId, providerId: provider.id, kind: 'REVIEW', rating, occurredAt });
    for (let day = 1; day <= 9; day++) await review(loud.id, 1, `2026-01-0${day}T00:00:00Z`);
    await review(loud.id, 3, '2026-01-10T00:00:00Z');
    await review(quiet.id, 5, '2026-01-02T00:00:00Z');
    const data = await run('query ($id: ID!) { provider(id: $id) { stats { averageRating relationCount } } }', { id: provider.id });
    expect(data.provider.stats).toEqual({ averageRating: 4, relationCount: 11 });
  });
});

describe('erasure at rest', () => {
  (onPostgres ? it.skip : it)('leaves no trace of an erased consumer in the SQLite file or its write-ahead log', async () => {
    const consumer = await createConsumer({ name: 'Quillon Zephyrine', email: 'quillon.zephyrine@example.com' });
    const provider = await createProvider();
    await recordRelation({ consumerId: consumer.id, providerId: provider.id, kind: 'REVIEW', rating: 4, comment: 'Zephyrine-comment-4711' });
    const erased = await run('mutation ($id: ID!) { eraseConsumer(id: $id) { __typename } }', { id: consumer.id });
    expect(erased.eraseConsumer.__typename).toBe('EraseConsumerSuccess');
    const file = sqliteFilePath(process.env.DATABASE_URL!);
    expect(dialectOf(process.env.DATABASE_URL!)).toBe('sqlite');
    for (const path of [file, `${file}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        continue; // no write-ahead log left at all
      }
      expect(bytes.includes('Quillon')).toBe(false);
      expect(bytes.includes('Zephyrine-comment')).toBe(false);
    }
  });
});
