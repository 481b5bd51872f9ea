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
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PORT="eighty": must be a number',
      'DATABASE_URL="mysql://x": must be a SQLite file URL such as file:./data/rapport.db',
      'LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow('PORT="70000": must be between 1 and 65535');
  });
});
