import { ConfigError, loadConfig } from '../src/config';

describe('configuration from the environment', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      databaseUrl: 'file:./data/rapport.db',
      logLevel: 'info',
      production: false,
      demoData: true,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({ PORT: '8080', DATABASE_URL: 'file:/var/lib/rapport.db', LOG_LEVEL: 'debug', NODE_ENV: 'production', DEMO_DATA: 'false' }),
    ).toEqual({ port: 8080, databaseUrl: 'file:/var/lib/rapport.db', logLevel: 'debug', production: true, demoData: false });
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
