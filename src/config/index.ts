import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  PORT: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(4000),
  DATABASE_URL: z
    .string()
    .regex(
      /^(file:|postgres(ql)?:\/\/).+/,
      'must be a SQLite file URL such as file:./data/rapport.db or a PostgreSQL URL such as postgresql://rapport@db:5432/rapport',
    )
    .default('file:./data/rapport.db'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { error: 'must be development, production or test' })
    .default('development'),
  DEMO_DATA: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, 'must be a Redis URL such as redis://127.0.0.1:6379').optional(),
});

export interface Config {
  port: number;
  databaseUrl: string;
  logLevel: (typeof LOG_LEVELS)[number];
  production: boolean;
  /** Load the demo data set into an empty database at start. */
  demoData: boolean;
  /** Shares live events between server processes when set. */
  redisUrl?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${JSON.stringify(env[name])}: ${issue.message}`;
      }),
    );
  }
  const { PORT, DATABASE_URL, LOG_LEVEL, NODE_ENV, DEMO_DATA, REDIS_URL } = parsed.data;
  return {
    port: PORT,
    databaseUrl: DATABASE_URL,
    logLevel: LOG_LEVEL,
    production: NODE_ENV === 'production',
    demoData: DEMO_DATA,
    redisUrl: REDIS_URL,
  };
}

let current: Config | undefined;

/** The process's configuration, read from the environment on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}
