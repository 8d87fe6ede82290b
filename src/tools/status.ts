import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigEnvironment, ConfigError, loadHttpConfig } from '../common/config/load-config';
import { parsePrometheusText } from './prometheus-text';

/** What `npm run status` reports, read from a running daemon's readiness and metrics. */
export interface DaemonStatus {
  url: string;
  ready: boolean;
  /** Readiness parts that are down, each with what it says. */
  notReady: Record<string, string>;
  link: {
    state: string;
    /** When the link came up (connected) or went down (otherwise); null before the first try. */
    since: string | null;
    /** The reconnect attempt under way or waited for; 0 while connected. */
    attempt: number;
  };
  /** Sessions by status (CREATED, ACTIVE, PAUSED, TERMINATED). */
  sessions: Record<string, number>;
  turnsRunning: number;
  approvalsPending: number;
  outbox: { waiting: number; oldestAgeSeconds: number };
  rateLimit: {
    state: 'open' | 'backing-off' | 'captcha-required';
    /** When sending resumes, while backing off. */
    until: string | null;
  };
}

export interface StatusIo {
  env: ConfigEnvironment;
  now(): Date;
  out(text: string): void;
  err(text: string): void;
}

const USAGE = 'Usage: npm run status [-- --url http://127.0.0.1:8081] [--json]';
const REQUEST_TIMEOUT_MS = 5000;

/** The daemon did not answer, or answered in a way the bridge does not: one line for the user. */
class StatusError extends Error {}

/**
 * `npm run status`: reads the running daemon's `/health/ready` and `/metrics` (at `--url`, or
 * where `HTTP_HOST`/`HTTP_PORT` say it listens) and prints a short summary, or with `--json`
 * the same as JSON. Returns the exit code: 0, or 1 with one plain line when it cannot.
 */
export async function runStatus(argv: readonly string[], io: StatusIo): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { url: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    const url = values.url ? values.url.replace(/\/+$/, '') : daemonUrl(io.env);
    const status = await readStatus(url, io.now());
    io.out(
      values.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status, io.now())}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) io.err(`${error.message}\n`);
    else if (error instanceof StatusError) io.err(`${error.message}\n`);
    else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      io.err(`${(error as Error).message}. ${USAGE}\n`);
    else throw error;
    return 1;
  }
}

/** Where the daemon listens, from the same variables it reads; a wildcard host means loopback. */
function daemonUrl(env: ConfigEnvironment): string {
  const { host, port } = loadHttpConfig(env);
  if (port === 0) {
    throw new StatusError(
      'HTTP_PORT is 0, so the daemon listens on a port it picked at start; pass it with --url http://127.0.0.1:<port>.',
    );
  }
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Asks the daemon; throws a `StatusError` saying plainly what went wrong. */
export async function readStatus(url: string, now: Date): Promise<DaemonStatus> {
  const [readiness, metricsText] = await Promise.all([
    get(url, '/health/ready', [200, 503]),
    get(url, '/metrics', [200]),
  ]);
  let health: Readiness;
  try {
    health = JSON.parse(readiness) as Readiness;
  } catch {
    throw notTheBridge(url, '/health/ready is not JSON');
  }
  if (!health.details?.signal) throw notTheBridge(url, '/health/ready has no Signal check');
  const samples = parsePrometheusText(metricsText);
  const value = (name: string): number => samples.find((s) => s.name === name)?.value ?? 0;
  const linkState = samples.find(
    (s) => s.name === 'bridge_signal_connection_state' && s.value === 1,
  )?.labels.state;
  if (!linkState) throw notTheBridge(url, '/metrics has no Signal link state');
  const since = value('bridge_signal_link_since_timestamp_seconds');
  const backoffMs = value('bridge_rate_limit_backoff_seconds') * 1000;
  const sessions: Record<string, number> = {};
  for (const s of samples.filter((s) => s.name === 'bridge_sessions'))
    sessions[s.labels.status] = s.value;
  return {
    url,
    ready: health.status === 'ok',
    notReady: Object.fromEntries(
      Object.entries(health.error ?? {}).map(([part, check]) => [part, check.message ?? 'down']),
    ),
    link: {
      state: linkState,
      since: since > 0 ? new Date(since * 1000).toISOString() : null,
      attempt: Number(health.details.signal.attempt ?? 0),
    },
    sessions,
    turnsRunning: value('bridge_turns_running'),
    approvalsPending: value('bridge_approvals_pending'),
    outbox: {
      waiting: value('bridge_outbox_depth'),
      oldestAgeSeconds: Math.round(value('bridge_outbox_oldest_age_seconds')),
    },
    rateLimit:
      value('bridge_rate_limit_captcha_required') === 1
        ? { state: 'captcha-required', until: null }
        : backoffMs > 0
          ? { state: 'backing-off', until: new Date(now.getTime() + backoffMs).toISOString() }
          : { state: 'open', until: null },
  };
}

/** The summary as the user reads it, one line per part. */
export function formatStatus(status: DaemonStatus, now: Date): string {
  const failing = Object.entries(status.notReady).map(([part, why]) => `${part}: ${why}`);
  const { link, outbox, rateLimit } = status;
  const since = link.since === null ? undefined : new Date(link.since);
  const sessions = ['CREATED', 'ACTIVE', 'PAUSED', 'TERMINATED']
    .filter((s) => (status.sessions[s] ?? 0) > 0)
    .map((s) => `${status.sessions[s]} ${s.toLowerCase()}`);
  return [
    `claude-signal-bridge on ${status.url}: ${status.ready ? 'ready' : `not ready (${failing.join('; ')})`}`,
    `Signal link: ${linkLine(link.state, link.attempt, since, now)}`,
    `Sessions: ${sessions.length > 0 ? sessions.join(', ') : 'none'}`,
    `Turns running: ${status.turnsRunning}`,
    `Approvals pending: ${status.approvalsPending}`,
    `Outbox: ${
      outbox.waiting === 0
        ? 'empty'
        : `${outbox.waiting} waiting, the oldest for ${duration(outbox.oldestAgeSeconds * 1000)}`
    }`,
    `Rate limit: ${
      rateLimit.state === 'captcha-required'
        ? 'stopped until a captcha is solved (send /captcha signalcaptcha://… from the phone)'
        : rateLimit.until
          ? `backing off until ${clockTime(new Date(rateLimit.until))} (${duration(new Date(rateLimit.until).getTime() - now.getTime())} from now)`
          : 'open'
    }`,
  ].join('\n');
}

function linkLine(state: string, attempt: number, since: Date | undefined, now: Date): string {
  if (!since) return 'not started yet';
  const when = `since ${clockTime(since)} (${duration(now.getTime() - since.getTime())} ago)`;
  if (state === 'CONNECTED' || state === 'SYNCING') return `connected ${when}`;
  return state === 'RECONNECTING'
    ? `down ${when}, reconnecting (attempt ${attempt})`
    : `down ${when}, waiting to reconnect (attempt ${attempt})`;
}

/** `2026-01-01 00:02:30 UTC`. */
function clockTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `45 s`, `12 min`, `3 h 12 min`, `2 d 4 h`. */
function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

interface Readiness {
  status?: string;
  error?: Record<string, { message?: string }>;
  details?: Record<string, { attempt?: number } | undefined>;
}

async function get(url: string, path: string, expected: number[]): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch {
    throw new StatusError(
      `The daemon is not answering on ${url} — is it running? Start it with npm start.`,
    );
  }
  const text = await response.text();
  if (!expected.includes(response.status))
    throw notTheBridge(url, `${path} answered HTTP ${response.status}`);
  return text;
}

function notTheBridge(url: string, what: string): StatusError {
  return new StatusError(
    `Something answers on ${url}, but not as the bridge does (${what}). Is --url or HTTP_PORT right?`,
  );
}

if (require.main === module) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  void runStatus(process.argv.slice(2), {
    env: process.env,
    now: () => new Date(),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`npm run status failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
