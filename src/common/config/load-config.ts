import { existsSync, statSync, realpathSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppConfig } from './app-config';
import {
  cronExpression,
  dollars,
  E164,
  hostName,
  httpUrl,
  integer,
  list,
  oneOf,
  parseEnvironment,
  phoneNumber,
  UUID,
} from './env-schema';

export { ConfigError } from './env-schema';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  NODE_ENV: oneOf(['development', 'production', 'test']).default('production'),
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  LOG_FORMAT: oneOf(['json', 'pretty']).optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_PATH: z.string().optional(),
  DATABASE_BUSY_TIMEOUT_MS: integer(0, 600_000).default(5000),
  HTTP_HOST: hostName.default('127.0.0.1'),
  HTTP_PORT: integer(0, 65_535).default(8081),
  SIGNAL_TRANSPORT: oneOf(['signal-cli', 'rest']).default('signal-cli'),
  SIGNAL_URL: httpUrl.default('http://127.0.0.1:8080'),
  SIGNAL_ACCOUNT: phoneNumber,
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
  REST_PING_SECONDS: integer(1, 300).default(10),
  REST_PONG_TIMEOUT_SECONDS: integer(2, 600).default(20),
  INBOUND_RETENTION_HOURS: integer(1, 24 * 365).default(72),
  RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(30),
  RATE_LIMIT_BURST: integer(1, 1_000_000).default(5),
  RATE_LIMIT_BACKOFF_CAP_SECONDS: integer(1, 86_400).default(60),
  RATE_LIMIT_COOLDOWN_SECONDS: integer(0, 86_400).default(60),
  OUTBOX_MAX_PENDING: integer(10, 1_000_000).default(1000),
  AGENT_EXECUTABLE: z.string().optional(),
  AGENT_MAX_RETRIES: integer(0, 20).default(2),
  AGENT_TURN_TIMEOUT_MINUTES: integer(1, 24 * 60).default(30),
  AGENT_IDLE_TIMEOUT_SECONDS: integer(10, 86_400).default(300),
  AGENT_STOP_GRACE_SECONDS: integer(1, 600).default(5),
  AGENT_MAX_CONCURRENT_TURNS: integer(1, 256).optional(),
  AGENT_MAX_BUDGET_USD: dollars.optional(),
  AGENT_MAX_TURNS: integer(1, 10_000).optional(),
  DAILY_BUDGET_USD: dollars.optional(),
  PROGRESS_EDIT_SECONDS: integer(1, 3600).default(5),
  OUTPUT_ATTACHMENT_BYTES: integer(500, 64_000).default(4000),
  UPLOAD_MAX_BYTES: integer(1000, 100_000_000).default(5_000_000),
  APPROVAL_TIMEOUT_SECONDS: integer(10, 7 * 86_400).default(600),
  APPROVAL_READ_ONLY_TOOLS: list.default([
    'Read',
    'Glob',
    'Grep',
    'LS',
    'TodoWrite',
    'NotebookRead',
    'BashOutput',
  ]),
  APPROVAL_DENY: list.default([]),
  APPROVAL_HIGH_RISK_COMMANDS: list.default([
    'dd',
    'mkfs',
    'fdisk',
    'sfdisk',
    'parted',
    'wipefs',
    'shred',
    'mkswap',
  ]),
  APPROVAL_PROTECTED_PATHS: list.default([
    '~/.ssh',
    '~/.aws',
    '~/.gnupg',
    '~/.netrc',
    '~/.config/gh',
  ]),
  SANDBOX: oneOf(['auto', 'on', 'off']).default('auto'),
  SANDBOX_ALLOWED_DOMAINS: list.default([]),
  ACTIVITY_LOG_SIZE: integer(1, 1000).default(10),
  BACKUP_DIR: z
    .string()
    .superRefine((path, ctx) => {
      if (existsSync(path) && !statSync(path).isDirectory()) {
        ctx.addIssue({ code: 'custom', message: `"${path}" is not a directory` });
      }
    })
    .optional(),
  BACKUP_KEEP: integer(1, 1000).default(7),
  BACKUP_CRON: cronExpression.default('0 3 * * *'),
});

/** Rules between variables, checked once each variable on its own is valid. */
const checkedSchema = envSchema.refine((e) => e.REST_PONG_TIMEOUT_SECONDS > e.REST_PING_SECONDS, {
  path: ['REST_PONG_TIMEOUT_SECONDS'],
  error: (issue) => {
    const e = issue.input as { REST_PING_SECONDS: number };
    return `must be longer than REST_PING_SECONDS (${e.REST_PING_SECONDS}), or a healthy link would count as dropped`;
  },
  when: (payload) =>
    payload.issues.every(
      (issue) =>
        !['REST_PING_SECONDS', 'REST_PONG_TIMEOUT_SECONDS'].includes(String(issue.path?.[0])),
    ),
});

export type ConfigEnvironment = Readonly<Record<string, string | undefined>>;

/** Every variable `loadConfig` reads; `.env.example` documents each one. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

/**
 * Turns at once when AGENT_MAX_CONCURRENT_TURNS is unset: one per CPU core, and no more than one
 * per GiB of memory (a Claude Code process takes about 200 MB, its tools more), at least one.
 */
export function defaultConcurrentTurns(cores = cpus().length, memoryBytes = totalmem()): number {
  return Math.max(1, Math.min(cores, Math.floor(memoryBytes / 2 ** 30)));
}

function directoryProblem(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : 'is not a directory';
  } catch {
    return 'does not exist';
  }
}

function parse<S extends z.ZodType>(schema: S, env: ConfigEnvironment): z.output<S> {
  return parseEnvironment(schema, CONFIG_VARIABLES, env);
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
  const e = parse(checkedSchema, env);
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
      restPingMs: e.REST_PING_SECONDS * 1000,
      restPongTimeoutMs: e.REST_PONG_TIMEOUT_SECONDS * 1000,
    },
    sessions: {
      projectRoots: e.PROJECT_ROOTS.map((root) => realpathSync(root)),
      activityLogSize: e.ACTIVITY_LOG_SIZE,
    },
    agent: {
      executable: e.AGENT_EXECUTABLE,
      maxRetries: e.AGENT_MAX_RETRIES,
      turnTimeoutMs: e.AGENT_TURN_TIMEOUT_MINUTES * 60_000,
      idleTimeoutMs: e.AGENT_IDLE_TIMEOUT_SECONDS * 1000,
      stopGraceMs: e.AGENT_STOP_GRACE_SECONDS * 1000,
      progressEditMs: e.PROGRESS_EDIT_SECONDS * 1000,
      outputAttachmentBytes: e.OUTPUT_ATTACHMENT_BYTES,
      uploadMaxBytes: e.UPLOAD_MAX_BYTES,
      tempDir: resolve(dataDir, 'agent-tmp'),
      maxConcurrentTurns: e.AGENT_MAX_CONCURRENT_TURNS ?? defaultConcurrentTurns(),
      maxBudgetUsd: e.AGENT_MAX_BUDGET_USD,
      maxTurns: e.AGENT_MAX_TURNS,
      dailyBudgetUsd: e.DAILY_BUDGET_USD,
    },
    approvals: {
      timeoutMs: e.APPROVAL_TIMEOUT_SECONDS * 1000,
      readOnlyTools: e.APPROVAL_READ_ONLY_TOOLS,
      deny: e.APPROVAL_DENY,
      highRiskCommands: e.APPROVAL_HIGH_RISK_COMMANDS,
      protectedPaths: e.APPROVAL_PROTECTED_PATHS,
    },
    sandbox: { mode: e.SANDBOX, allowedDomains: e.SANDBOX_ALLOWED_DOMAINS },
    rateLimit: {
      perMinute: e.RATE_LIMIT_PER_MINUTE,
      burst: e.RATE_LIMIT_BURST,
      backoffCapMs: e.RATE_LIMIT_BACKOFF_CAP_SECONDS * 1000,
      cooldownMs: e.RATE_LIMIT_COOLDOWN_SECONDS * 1000,
    },
    outbox: { maxPending: e.OUTBOX_MAX_PENDING },
    backups: {
      dir: e.BACKUP_DIR ? resolve(e.BACKUP_DIR) : resolve(dataDir, 'backups'),
      keep: e.BACKUP_KEEP,
      cron: e.BACKUP_CRON,
    },
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

/** Only where the daemon listens, for `npm run status`, which needs nothing else. */
export function loadHttpConfig(env: ConfigEnvironment): AppConfig['http'] {
  const e = parse(envSchema.pick({ HTTP_HOST: true, HTTP_PORT: true }), env);
  return { host: e.HTTP_HOST, port: e.HTTP_PORT };
}
