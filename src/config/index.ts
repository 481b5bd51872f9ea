import { dirname, join } from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `id:base64key[,id:base64key...]`, the first being the key new data is encrypted with. */
export const PII_KEYRING = /^[A-Za-z0-9_-]+:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9_-]+:[A-Za-z0-9+/]{43}=)*$/;

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
  GRAPHIQL: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
  RESPONSE_CACHE: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
  PII_KEYS: z
    .string()
    .regex(PII_KEYRING, 'must be a comma-separated list of id:key, each key 32 bytes in base64 (see docs/security.md)')
    .optional(),
  PII_KEY_FILE: z.string().min(1).optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(600),
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, 'must be a Redis URL such as redis://127.0.0.1:6379').optional(),
});

export interface Config {
  port: number;
  databaseUrl: string;
  logLevel: (typeof LOG_LEVELS)[number];
  production: boolean;
  /** Load the demo data set into an empty database at start. */
  demoData: boolean;
  /** Serve GraphiQL at the GraphQL endpoint. */
  graphiql: boolean;
  /** Cache query answers per API key until the next write (src/server/response-cache.ts). */
  responseCache: boolean;
  /** Where the PII encryption keys come from: the environment, or a file generated on first use. */
  piiKeys: { keyring: string } | { file: string };
  /** Requests each API key (or, unauthenticated, each client address) may make per minute. */
  rateLimitPerMinute: number;
  /** Shares live events between server processes when set. */
  redisUrl?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A bad value as an error may show it: never a key, and never a URL's password. */
function shownValue(name: string, value: string | undefined): string {
  if (name === 'PII_KEYS' && value !== undefined) return '(hidden)';
  return JSON.stringify(value?.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@'));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${shownValue(name, env[name])}: ${issue.message}`;
      }),
    );
  }
  const { PORT, DATABASE_URL, LOG_LEVEL, NODE_ENV, DEMO_DATA, GRAPHIQL, PII_KEYS, PII_KEY_FILE, REDIS_URL } = parsed.data;
  const production = NODE_ENV === 'production';
  if (production && !PII_KEYS) {
    throw new ConfigError(['PII_KEYS: is required in production (see docs/security.md for how to generate it)']);
  }
  return {
    port: PORT,
    databaseUrl: DATABASE_URL,
    logLevel: LOG_LEVEL,
    production,
    demoData: DEMO_DATA,
    graphiql: GRAPHIQL,
    responseCache: parsed.data.RESPONSE_CACHE,
    piiKeys: PII_KEYS ? { keyring: PII_KEYS } : { file: PII_KEY_FILE ?? defaultKeyFile(DATABASE_URL) },
    rateLimitPerMinute: parsed.data.RATE_LIMIT_PER_MINUTE,
    redisUrl: REDIS_URL,
  };
}

/** Beside the SQLite file: the embedded default keeps its data and its key in one folder. */
function defaultKeyFile(databaseUrl: string): string {
  const match = /^file:(.*?)(\?.*)?$/.exec(databaseUrl);
  return join(match ? dirname(match[1]) : 'data', 'pii-keys');
}

let current: Config | undefined;

/** The process's configuration, read from the environment on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}
