import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `id:base64key[,id:base64key...]`, the first being the key new data is encrypted with. */
export const PII_KEYRING = /^[A-Za-z0-9_-]+:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9_-]+:[A-Za-z0-9+/]{43}=)*$/;

/** `CURRENCY:amount[,…]`, `*` standing for every currency not named. */
const AMOUNT_CEILINGS = /^(\*|[A-Za-z]{3}):\d{1,15}(,(\*|[A-Za-z]{3}):\d{1,15})*$/;

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
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(1200),
  CONCURRENT_REQUESTS_PER_ADDRESS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(4),
  AUTH_FAILURES_PER_MINUTE: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(20),
  MAX_BODY_BYTES: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1024, 'must be at least 1024')
    .default(1000000),
  MAX_RESPONSE_BYTES: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1024, 'must be at least 1024')
    .default(5000000),
  MAX_STREAMS_PER_KEY: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(10),
  SMALL_COUNT_THRESHOLD: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(5),
  MAX_AMOUNT_MINOR: z
    .string()
    .regex(
      AMOUNT_CEILINGS,
      'must be a comma-separated list of CURRENCY:amount in minor units, with * for every other currency, such as EUR:5000000,*:10000000',
    )
    .default('*:10000000'),
  TRUSTED_DOCUMENTS: z.string().min(1).optional(),
  GRAPH_FILE: z.string().min(1, 'must be a file path, or off').optional(),
  INTROSPECTION: z.enum(['open', 'admin', 'off'], { error: 'must be open, admin or off' }).optional(),
  WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(7 * 24 * 3600, 'must be at most 604800 (7 days)')
    .default(24 * 3600),
  WEBHOOK_RETRY_BASE_MS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(10, 'must be at least 10')
    .default(10_000),
  WEBHOOK_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(100, 'must be at least 100')
    .max(60_000, 'must be at most 60000')
    .default(10_000),
  WEBHOOK_CONCURRENCY: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(256, 'must be at most 256')
    .default(8),
  WEBHOOK_POLL_MS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(10, 'must be at least 10')
    .default(1000),
  WEBHOOK_MAX_HELD_EVENTS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be at least 0')
    .max(1_000_000, 'must be at most 1000000')
    .default(10_000),
  WEBHOOK_ALLOW_TARGETS: z
    .string()
    .regex(/^((loopback|private|link-local)(,(loopback|private|link-local))*)?$/, 'must be a comma-separated list of loopback, private and link-local, or empty')
    .default(''),
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
  /** Requests each API key may make per minute. */
  rateLimitPerMinute: number;
  /** Requests each client address may make per minute, with or without a key. */
  rateLimitPerAddressPerMinute: number;
  /** Failed authentications a client address may make per minute before all its requests wait. */
  authFailuresPerMinute: number;
  /** Requests of one client address in progress at once. */
  concurrentRequestsPerAddress: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Largest response sent, in bytes (serialized JSON). */
  maxResponseBytes: number;
  /** Subscriptions one API key may hold open at once. */
  maxStreamsPerKey: number;
  /** Counts about other parties below this are hidden from non-admins (they would identify people). */
  smallCountThreshold: number;
  /** The largest amount one relation may carry, in minor units, per currency (`*`: any other). */
  maxAmountMinor: Record<string, number>;
  /** Who may introspect the schema: anyone, admin keys only (production's default), or nobody. */
  introspection: 'open' | 'admin' | 'off';
  /** Where the relation graph is saved between runs, to start from (analytics/serving/graph-file.ts); unset: never saved. */
  graphFile?: string;
  /** Trusted-documents mode: the allow-list file of the only operations non-admins may run. */
  trustedDocuments?: string;
  /** Shares live events between server processes when set. */
  redisUrl?: string;
  webhooks: WebhookSettings;
}

/** Which kinds of non-public address webhook targets may resolve to (docs/security.md). */
export type TargetNetwork = 'loopback' | 'private' | 'link-local';

export interface WebhookSettings {
  /** How long a delivery is retried before its endpoint is disabled. */
  retryWindowMs: number;
  /** The first retry's delay; each further one doubles it (with jitter), up to an hour. */
  retryBaseMs: number;
  /** The longest one delivery attempt may take, connection included. */
  timeoutMs: number;
  /** Deliveries one server process makes at once. */
  concurrency: number;
  /** How often each process looks for new events and due retries. */
  pollMs: number;
  /** Events held for a disabled endpoint, at most; later ones are counted, to be replayed by time range. */
  maxHeldEvents: number;
  allowTargets: ReadonlySet<TargetNetwork>;
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
  if (production && !PII_KEYS && !PII_KEY_FILE) {
    throw new ConfigError(['PII_KEYS: is required in production, or PII_KEY_FILE outside the data folder (see docs/security.md)']);
  }
  if (production && !PII_KEYS && PII_KEY_FILE && insideDataFolder(PII_KEY_FILE, DATABASE_URL)) {
    throw new ConfigError([
      `PII_KEY_FILE=${JSON.stringify(PII_KEY_FILE)}: must not be in the database's folder in production: a copy of that folder would hold both the ciphertexts and their key`,
    ]);
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
    rateLimitPerAddressPerMinute: parsed.data.RATE_LIMIT_PER_ADDRESS_PER_MINUTE,
    authFailuresPerMinute: parsed.data.AUTH_FAILURES_PER_MINUTE,
    concurrentRequestsPerAddress: parsed.data.CONCURRENT_REQUESTS_PER_ADDRESS,
    maxBodyBytes: parsed.data.MAX_BODY_BYTES,
    maxResponseBytes: parsed.data.MAX_RESPONSE_BYTES,
    maxStreamsPerKey: parsed.data.MAX_STREAMS_PER_KEY,
    smallCountThreshold: parsed.data.SMALL_COUNT_THRESHOLD,
    maxAmountMinor: amountCeilings(parsed.data.MAX_AMOUNT_MINOR),
    introspection: parsed.data.INTROSPECTION ?? (production ? 'admin' : 'open'),
    trustedDocuments: parsed.data.TRUSTED_DOCUMENTS,
    graphFile: graphFile(parsed.data.GRAPH_FILE, DATABASE_URL),
    redisUrl: REDIS_URL,
    webhooks: {
      retryWindowMs: parsed.data.WEBHOOK_RETRY_WINDOW_SECONDS * 1000,
      retryBaseMs: parsed.data.WEBHOOK_RETRY_BASE_MS,
      timeoutMs: parsed.data.WEBHOOK_TIMEOUT_MS,
      concurrency: parsed.data.WEBHOOK_CONCURRENCY,
      pollMs: parsed.data.WEBHOOK_POLL_MS,
      maxHeldEvents: parsed.data.WEBHOOK_MAX_HELD_EVENTS,
      allowTargets: new Set(parsed.data.WEBHOOK_ALLOW_TARGETS.split(',').filter(Boolean) as TargetNetwork[]),
    },
  };
}

function amountCeilings(text: string): Record<string, number> {
  return Object.fromEntries(text.split(',').map((entry) => {
    const [currency, amount] = entry.split(':');
    return [currency.toUpperCase(), Number(amount)];
  }));
}

function insideDataFolder(keyFile: string, databaseUrl: string): boolean {
  const match = /^file:(.*?)(\?.*)?$/.exec(databaseUrl);
  if (!match) return false;
  const folder = resolve(dirname(match[1]));
  const relativePath = relative(folder, resolve(keyFile));
  return !relativePath.startsWith('..') && !isAbsolute(relativePath);
}

/** Beside the SQLite file: the embedded default keeps its data and its key in one folder. */
export function defaultKeyFile(databaseUrl: string): string {
  const match = /^file:(.*?)(\?.*)?$/.exec(databaseUrl);
  return join(match ? dirname(match[1]) : 'data', 'pii-keys');
}

/** `off`, a path, or by default beside an SQLite file (a server of a PostgreSQL database may have no disk of its own to keep it on). */
function graphFile(setting: string | undefined, databaseUrl: string): string | undefined {
  if (setting === 'off') return undefined;
  if (setting) return setting;
  const match = /^file:(.*?)(\?.*)?$/.exec(databaseUrl);
  return match ? `${match[1]}.graph` : undefined;
}

let current: Config | undefined;

/** The process's configuration, read from the environment on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}
