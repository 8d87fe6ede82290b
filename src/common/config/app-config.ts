export type SignalTransportKind = 'signal-cli' | 'rest';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'json' | 'pretty';

export interface HttpConfig {
  readonly host: string;
  readonly port: number;
}

export interface DatabaseConfig {
  /** Absolute path of the SQLite file. */
  readonly path: string;
  readonly busyTimeoutMs: number;
}

export interface LoggingConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
}

export interface SignalConfig {
  readonly transport: SignalTransportKind;
  readonly url: string;
  /** The bot's own account, E.164. */
  readonly account: string;
  /** Owners allowed to drive the daemon: E.164 numbers and/or ACI UUIDs (lower case). */
  readonly authorizedSenders: readonly string[];
  /** How long inbound de-duplication keys are kept. */
  readonly inboundRetentionHours: number;
  /** Spread reconnect waits randomly over 50–100 % of the backoff (off: exact waits). */
  readonly reconnectJitter: boolean;
  /** REST transport: the daemon pings the WebSocket this often. */
  readonly restPingMs: number;
  /** REST transport: no pong (nor anything else) for this long means the link is half-open. */
  readonly restPongTimeoutMs: number;
}

export interface SessionsConfig {
  /** Absolute, real paths of the folders sessions may be bound under. */
  readonly projectRoots: readonly string[];
  /** How many activity entries each session keeps. */
  readonly activityLogSize: number;
}

export interface RateLimitConfig {
  /** Sustained sends per minute. */
  readonly perMinute: number;
  /** Sends allowed at once after a quiet spell. */
  readonly burst: number;
  /** Longest pause after consecutive rate-limit answers, unless Signal asks for longer. */
  readonly backoffCapMs: number;
  /** Successful sending for this long forgets earlier rejections. */
  readonly cooldownMs: number;
}

export interface OutboxConfig {
  /** Past this many pending rows, progress updates are folded into one line. */
  readonly maxPending: number;
}

export interface AgentConfig {
  /** The Claude Code executable; undefined: the one the Agent SDK ships. */
  readonly executable: string | undefined;
  /** How often the CLI retries a failing model server before the turn ends. */
  readonly maxRetries: number;
  /** A turn running longer than this is stopped and reported. */
  readonly turnTimeoutMs: number;
  /** A turn with no output for this long (not counting a wait for the phone) is stopped. */
  readonly idleTimeoutMs: number;
  /** How long a stop waits after interrupting before SIGTERM, and after SIGTERM before SIGKILL. */
  readonly stopGraceMs: number;
  /** The live progress message is edited at most this often. */
  readonly progressEditMs: number;
  /** A result longer than this (UTF-8 bytes) goes as a file with a short summary. */
  readonly outputAttachmentBytes: number;
  /** Files from the phone larger than this are refused. */
  readonly uploadMaxBytes: number;
  /** The agent's temp folder (`CLAUDE_CODE_TMPDIR`), under DATA_DIR: sandboxed commands may use it. */
  readonly tempDir: string;
  /** At most this many turns run at once; further prompts wait for a free slot. */
  readonly maxConcurrentTurns: number;
  /** A turn is stopped once it has cost this much (US dollars); undefined: no cap. */
  readonly maxBudgetUsd: number | undefined;
  /** A turn is stopped after this many model calls; undefined: Claude Code's own limit. */
  readonly maxTurns: number | undefined;
  /** What all turns may cost in a day (local midnight to midnight); undefined: no cap. */
  readonly dailyBudgetUsd: number | undefined;
}

export interface ApprovalsConfig {
  /** An unanswered approval is denied after this long, and its session paused. */
  readonly timeoutMs: number;
  /** Tools that only read: allowed without asking. */
  readonly readOnlyTools: readonly string[];
  /** Claude Code permission rules (`Tool`, `Bash(git push:*)`) that are always denied. */
  readonly deny: readonly string[];
  /** Commands that are high risk whatever their arguments, as words (`dd`, `terraform destroy`). */
  readonly highRiskCommands: readonly string[];
  /** Paths (`~/.ssh`) a tool call may touch only with an approval typed out; also unreadable in the sandbox. */
  readonly protectedPaths: readonly string[];
}

export type SandboxMode = 'auto' | 'on' | 'off';

export interface SandboxConfig {
  /** auto: Claude Code's sandbox wherever it can start; on: no turn without it; off: never. */
  readonly mode: SandboxMode;
  /** Domains sandboxed commands may reach (none by default). */
  readonly allowedDomains: readonly string[];
}

export interface BackupsConfig {
  /** Absolute path of the folder the database backups are written to. */
  readonly dir: string;
  /** How many backups are kept; older ones are deleted after each new one. */
  readonly keep: number;
  /** When the nightly backup runs: a cron expression in the machine's local time. */
  readonly cron: string;
}

/**
 * The validated configuration. Built once by `loadConfig` from the environment and provided
 * to every module as a value: nothing else reads `process.env`.
 */
export abstract class AppConfig {
  abstract readonly dataDir: string;
  abstract readonly http: HttpConfig;
  abstract readonly database: DatabaseConfig;
  abstract readonly logging: LoggingConfig;
  abstract readonly signal: SignalConfig;
  abstract readonly sessions: SessionsConfig;
  abstract readonly agent: AgentConfig;
  abstract readonly approvals: ApprovalsConfig;
  abstract readonly sandbox: SandboxConfig;
  abstract readonly rateLimit: RateLimitConfig;
  abstract readonly outbox: OutboxConfig;
  abstract readonly backups: BackupsConfig;
}
