import { ConfigError, loadConfig } from '../src/config';

describe('configuration from the environment', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      databaseUrl: 'file:./data/rapport.db',
      graphFile: './data/rapport.db.graph',
      logLevel: 'info',
      production: false,
      demoData: true,
      graphiql: true,
      piiKeys: { file: 'data/pii-keys' },
      rateLimitPerMinute: 600,
      responseCache: true,
      rateLimitPerAddressPerMinute: 1200,
      authFailuresPerMinute: 20,
      concurrentRequestsPerAddress: 4,
      maxBodyBytes: 1_000_000,
      maxResponseBytes: 5_000_000,
      maxStreamsPerKey: 10,
      smallCountThreshold: 5,
      maxAmountMinor: { '*': 10_000_000 },
      introspection: 'open',
      webhooks: { retryWindowMs: 86_400_000, retryBaseMs: 10_000, timeoutMs: 10_000, concurrency: 8, pollMs: 1000, maxHeldEvents: 10_000, allowTargets: new Set() },
    });
  });

  it('reads the webhook settings, and refuses unknown target kinds', () => {
    expect(
      loadConfig({ WEBHOOK_RETRY_WINDOW_SECONDS: '60', WEBHOOK_ALLOW_TARGETS: 'loopback,link-local', WEBHOOK_CONCURRENCY: '2', WEBHOOK_MAX_HELD_EVENTS: '50' }).webhooks,
    ).toMatchObject({ retryWindowMs: 60_000, concurrency: 2, maxHeldEvents: 50, allowTargets: new Set(['loopback', 'link-local']) });
    expect(() => loadConfig({ WEBHOOK_MAX_HELD_EVENTS: '-1' })).toThrow(/WEBHOOK_MAX_HELD_EVENTS="-1": must be at least 0/);
    expect(() => loadConfig({ WEBHOOK_ALLOW_TARGETS: 'everything' })).toThrow(/WEBHOOK_ALLOW_TARGETS="everything": must be a comma-separated list/);
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '5' })).toThrow(/WEBHOOK_TIMEOUT_MS="5": must be at least 100/);
  });

  it('reads every variable', () => {
    const keyring = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    expect(
      loadConfig({
        PORT: '8080',
        DATABASE_URL: 'file:/var/lib/rapport.db',
        LOG_LEVEL: 'debug',
        NODE_ENV: 'production',
        DEMO_DATA: 'false',
        GRAPHIQL: 'false',
        PII_KEYS: keyring,
        RATE_LIMIT_PER_MINUTE: '60',
        RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '120',
        AUTH_FAILURES_PER_MINUTE: '5',
        CONCURRENT_REQUESTS_PER_ADDRESS: '8',
        MAX_BODY_BYTES: '2000000',
        MAX_RESPONSE_BYTES: '1000000',
        MAX_STREAMS_PER_KEY: '3',
        SMALL_COUNT_THRESHOLD: '10',
        MAX_AMOUNT_MINOR: 'EUR:500000,jpy:90000000,*:1000000',
        INTROSPECTION: 'off',
        TRUSTED_DOCUMENTS: '/etc/rapport/trusted-documents.json',
        GRAPH_FILE: '/var/cache/rapport/graph',
      }),
    ).toEqual({
      port: 8080,
      databaseUrl: 'file:/var/lib/rapport.db',
      graphFile: '/var/cache/rapport/graph',
      logLevel: 'debug',
      production: true,
      demoData: false,
      graphiql: false,
      piiKeys: { keyring },
      rateLimitPerMinute: 60,
      responseCache: true,
      rateLimitPerAddressPerMinute: 120,
      authFailuresPerMinute: 5,
      concurrentRequestsPerAddress: 8,
      maxBodyBytes: 2_000_000,
      maxResponseBytes: 1_000_000,
      maxStreamsPerKey: 3,
      smallCountThreshold: 10,
      maxAmountMinor: { EUR: 500_000, JPY: 90_000_000, '*': 1_000_000 },
      introspection: 'off',
      trustedDocuments: '/etc/rapport/trusted-documents.json',
      webhooks: { retryWindowMs: 86_400_000, retryBaseMs: 10_000, timeoutMs: 10_000, concurrency: 8, pollMs: 1000, maxHeldEvents: 10_000, allowTargets: new Set() },
    });
  });

  it('keeps the generated PII key beside the SQLite file, unless PII_KEY_FILE says otherwise', () => {
    expect(loadConfig({ DATABASE_URL: 'file:/srv/rapport/data.db' }).piiKeys).toEqual({ file: '/srv/rapport/pii-keys' });
    expect(loadConfig({ PII_KEY_FILE: '/etc/rapport/keys' }).piiKeys).toEqual({ file: '/etc/rapport/keys' });
  });

  it('requires PII_KEYS in production and refuses a malformed keyring', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('PII_KEYS: is required in production');
    expect(() => loadConfig({ PII_KEYS: 'k1:short' })).toThrow(/PII_KEYS=\(hidden\): must be a comma-separated list of id:key/);
  });

  it('refuses, in production, a PII key file in the database folder, and keeps introspection for admins', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'file:/srv/rapport/data.db' };
    expect(() => loadConfig({ ...production, PII_KEY_FILE: '/srv/rapport/pii-keys' })).toThrow(/must not be in the database's folder/);
    expect(loadConfig({ ...production, PII_KEY_FILE: '/etc/rapport/pii-keys' })).toMatchObject({
      piiKeys: { file: '/etc/rapport/pii-keys' },
      introspection: 'admin',
    });
  });

  it('never shows a key or a password in its complaints', () => {
    let message = '';
    try {
      loadConfig({ PII_KEYS: 'k1:secret', REDIS_URL: 'http://app:s3cret@cache:6379', PORT: 'x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('REDIS_URL="http://app:***@cache:6379"');
    expect(message).not.toMatch(/secret|s3cret/);
  });

  it('names every bad value and says what is expected', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', REDIS_URL: 'localhost:6379' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PORT="eighty": must be a number',
      'DATABASE_URL="mysql://x": must be a SQLite file URL such as file:./data/rapport.db or a PostgreSQL URL such as postgresql://rapport@db:5432/rapport',
      'LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent',
      'REDIS_URL="localhost:6379": must be a Redis URL such as redis://127.0.0.1:6379',
    ]);
  });

  it('keeps the graph file beside an SQLite file unless told otherwise, and none for PostgreSQL unless told where', () => {
    expect(loadConfig({ DATABASE_URL: 'file:/srv/rapport.db?mode=rwc' }).graphFile).toBe('/srv/rapport.db.graph');
    expect(loadConfig({ DATABASE_URL: 'file:/srv/rapport.db', GRAPH_FILE: 'off' }).graphFile).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgresql://rapport@db:5432/rapport' }).graphFile).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgresql://rapport@db:5432/rapport', GRAPH_FILE: '/var/cache/rapport/graph' }).graphFile).toBe('/var/cache/rapport/graph');
    expect(() => loadConfig({ GRAPH_FILE: '' })).toThrow('GRAPH_FILE="": must be a file path, or off');
  });

  it('takes a PostgreSQL database and a Redis server', () => {
    const settings = loadConfig({ DATABASE_URL: 'postgresql://rapport@db:5432/rapport', REDIS_URL: 'redis://cache:6379' });
    expect(settings).toMatchObject({ databaseUrl: 'postgresql://rapport@db:5432/rapport', redisUrl: 'redis://cache:6379' });
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow('PORT="70000": must be between 1 and 65535');
  });
});
