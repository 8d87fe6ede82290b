import { statSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppConfig } from './app-config';

/** Thrown when the environment does not describe a runnable daemon; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const required = (what: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? 'is required' : `must be ${what}`,
});

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (issue) =>
      `must be one of ${values.map((v) => `"${v}"`).join(', ')} (got "${String(issue.input)}")`,
  });

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: (issue) => `must be a whole number (got "${String(issue.input)}")` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const list = z.string(required('a comma-separated list')).transform((raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

const httpUrl = z.string().refine(
  (raw) => {
    try {
      const url = new URL(raw);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: (issue) => `must be an http:// or https:// URL (got "${String(issue.input)}")` },
);

const envSchema = z.object({
  NODE_ENV: oneOf(['development', 'production', 'test']).default('production'),
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  LOG_FORMAT: oneOf(['json', 'pretty']).optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_PATH: z.string().optional(),
  DATABASE_BUSY_TIMEOUT_MS: integer(0, 600_000).default(5000),
  HTTP_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]+$/, { error: 'must be a host name or IP address' })
    .default('127.0.0.1'),
  HTTP_PORT: integer(0, 65_535).default(8081),
  SIGNAL_TRANSPORT: oneOf(['signal-cli', 'rest']).default('signal-cli'),
  SIGNAL_URL: httpUrl.default('http://127.0.0.1:8080'),
  SIGNAL_ACCOUNT: z.string(required('a phone number')).regex(E164, {
    error: (issue) =>
      `must be a phone number in international format like +15550100000 (got "${String(issue.input)}")`,
  }),
  AUTHORIZED_SENDERS: list.superRefine((items, ctx) => {
    if (items.length === 0)
      ctx.addIssue({ code: 'custom', message: 'must name at least one sender' });
    for (const item of items) {
      if (!E164.test(item) && !UUID.test(item)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${item}" is neither a phone number like +15550100000 nor an ACI UUID`,
        });
      }
    }
  }),
  PROJECT_ROOTS: list.superRefine((items, ctx) => {
    if (items.length === 0)
      ctx.addIssue({ code: 'custom', message: 'must name at least one folder' });
    for (const item of items) {
      const problem = directoryProblem(item);
      if (problem) ctx.addIssue({ code: 'custom', message: `"${item}" ${problem}` });
    }
  }),
  RECONNECT_JITTER: oneOf(['true', 'false']).default('false'),
  INBOUND_RETENTION_HOURS: integer(1, 24 * 365).default(72),
  RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(30),
  RATE_LIMIT_BURST: integer(1, 1_000_000).default(5),
  RATE_LIMIT_BACKOFF_CAP_SECONDS: integer(1, 86_400).default(60),
  RATE_LIMIT_COOLDOWN_SECONDS: integer(0, 86_400).default(60),
  OUTBOX_MAX_PENDING: integer(10, 1_000_000).default(1000),
  AGENT_EXECUTABLE: z.string().min(1, { error: 'must not be empty' }).default('claude'),
  ACTIVITY_LOG_SIZE: integer(1, 1000).default(10),
});

export type ConfigEnvironment = Readonly<Record<string, string | undefined>>;

/** Every variable `loadConfig` reads; `.env.example` documents each one. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

function directoryProblem(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : 'is not a directory';
  } catch {
    return 'does not exist';
  }
}

function parse<S extends z.ZodType>(schema: S, env: ConfigEnvironment): z.output<S> {
  const input: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name]?.trim();
    if (value) input[name] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  return parsed.data;
}

function databaseFrom(e: {
  DATA_DIR: string;
  DATABASE_PATH?: string;
  DATABASE_BUSY_TIMEOUT_MS: number;
}) {
  const dataDir = resolve(e.DATA_DIR);
  const path = e.DATABASE_PATH ? resolve(e.DATABASE_PATH) : resolve(dataDir, 'bridge.sqlite');
  return { dataDir, database: { path, busyTimeoutMs: e.DATABASE_BUSY_TIMEOUT_MS } };
}

/**
 * Validates the environment and builds the typed configuration.
 * Empty values count as unset; relative paths are taken from the working directory. Throws
 * `ConfigError` naming every problem at once.
 */
export function loadConfig(env: ConfigEnvironment): AppConfig {
  const e = parse(envSchema, env);
  const { dataDir, database } = databaseFrom(e);
  return {
    dataDir,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    database,
    logging: {
      level: e.LOG_LEVEL,
      format: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json'),
    },
    signal: {
      transport: e.SIGNAL_TRANSPORT,
      url: e.SIGNAL_URL.replace(/\/+$/, ''),
      account: e.SIGNAL_ACCOUNT,
      authorizedSenders: e.AUTHORIZED_SENDERS.map((s) => (UUID.test(s) ? s.toLowerCase() : s)),
      inboundRetentionHours: e.INBOUND_RETENTION_HOURS,
      reconnectJitter: e.RECONNECT_JITTER === 'true',
    },
    sessions: {
      projectRoots: e.PROJECT_ROOTS.map((root) => realpathSync(root)),
      activityLogSize: e.ACTIVITY_LOG_SIZE,
    },
    agent: { executable: e.AGENT_EXECUTABLE },
    rateLimit: {
      perMinute: e.RATE_LIMIT_PER_MINUTE,
      burst: e.RATE_LIMIT_BURST,
      backoffCapMs: e.RATE_LIMIT_BACKOFF_CAP_SECONDS * 1000,
      cooldownMs: e.RATE_LIMIT_COOLDOWN_SECONDS * 1000,
    },
    outbox: { maxPending: e.OUTBOX_MAX_PENDING },
  };
}

/** Only the database part, for the TypeORM CLI (`ormconfig.ts`), which needs nothing else. */
export function loadDatabaseConfig(env: ConfigEnvironment): AppConfig['database'] {
  const schema = envSchema.pick({
    DATA_DIR: true,
    DATABASE_PATH: true,
    DATABASE_BUSY_TIMEOUT_MS: true,
  });
  return databaseFrom(parse(schema, env)).database;
}
