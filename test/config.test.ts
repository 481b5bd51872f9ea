import { ConfigError, loadConfig } from '../src/config';

describe('configuration from the environment', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      databaseUrl: 'file:./data/rapport.db',
      logLevel: 'info',
      production: false,
      demoData: true,
      graphiql: true,
      piiKeys: { file: 'data/pii-keys' },
      rateLimitPerMinute: 600,
      responseCache: true,
    });
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
      }),
    ).toEqual({
      port: 8080,
      databaseUrl: 'file:/var/lib/rapport.db',
      logLevel: 'debug',
      production: true,
      demoData: false,
      graphiql: false,
      piiKeys: { keyring },
      rateLimitPerMinute: 60,
      responseCache: true,
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

  it('takes a PostgreSQL database and a Redis server', () => {
    const settings = loadConfig({ DATABASE_URL: 'postgresql://rapport@db:5432/rapport', REDIS_URL: 'redis://cache:6379' });
    expect(settings).toMatchObject({ databaseUrl: 'postgresql://rapport@db:5432/rapport', redisUrl: 'redis://cache:6379' });
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow('PORT="70000": must be between 1 and 65535');
  });
});
