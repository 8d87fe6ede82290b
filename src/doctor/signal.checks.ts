import { AppConfig } from '../common/config';
import { maskIdentifier } from '../common/logging';
import { SignalTransportError } from '../modules/signal';
import { JsonAnswer, requestJson } from '../modules/signal/transports/http-json';
import { CheckResult, DoctorContext, fail, pass, warn } from './check';
import { findSignalCliDaemons, SignalCliProcess } from './signal-cli-process';

const DAEMON = 'Signal daemon';
const RECEIVE_MODE = 'Receive mode';
const ACCOUNT = 'Signal account';

/** Whether the configured Signal API answers, keeps messages while we are away, and has our account. */
export function checkSignal(config: AppConfig, ctx: DoctorContext): Promise<CheckResult[]> {
  return config.signal.transport === 'rest'
    ? checkRestApi(config, ctx)
    : checkSignalCli(config, ctx);
}

async function checkSignalCli(config: AppConfig, ctx: DoctorContext): Promise<CheckResult[]> {
  const { url, account } = config.signal;
  const port = portOf(url);
  let check: JsonAnswer;
  try {
    check = await get(ctx, `${url}/api/v1/check`);
  } catch (error) {
    return [
      fail(
        DAEMON,
        `nothing answers at ${url} (${why(error)})`,
        `start signal-cli -a <SIGNAL_ACCOUNT> daemon --http 127.0.0.1:${port} --receive-mode=on-connection, or correct SIGNAL_URL`,
      ),
    ];
  }
  if (check.status !== 200) {
    return [
      fail(
        DAEMON,
        `${url}/api/v1/check answered HTTP ${check.status}, not signal-cli's 200`,
        "point SIGNAL_URL at signal-cli's --http address, or set SIGNAL_TRANSPORT=rest for signal-cli-rest-api",
      ),
    ];
  }
  const daemon = pass(DAEMON, `signal-cli answers at ${url}`);
  const running = await localSignalCli(config, ctx);
  return [daemon, receiveMode(running), await signalCliAccount(ctx, url, account, running)];
}

/** The signal-cli daemon serving `url` on this machine, or why it cannot be seen. */
type LocalDaemon = { process: SignalCliProcess } | { unseen: string };

async function localSignalCli(config: AppConfig, ctx: DoctorContext): Promise<LocalDaemon> {
  const url = new URL(config.signal.url);
  if (!isLoopback(url.hostname))
    return { unseen: `signal-cli runs on another machine (${url.hostname})` };
  const lines = await ctx.listProcesses();
  if (!lines) return { unseen: 'the process list could not be read' };
  const port = portOf(config.signal.url);
  const found = findSignalCliDaemons(lines).find((p) => p.httpPort === port);
  return found
    ? { process: found }
    : { unseen: `no signal-cli daemon with --http on port ${port} in this machine's process list` };
}

/** signal-cli's HTTP API does not reveal its receive mode: read it from its command line. */
function receiveMode(running: LocalDaemon): CheckResult {
  if ('unseen' in running) {
    return warn(
      RECEIVE_MODE,
      `not checked: ${running.unseen}`,
      'make sure signal-cli runs with --receive-mode=on-connection, or messages that arrive while the bridge is down are lost',
    );
  }
  const mode = running.process.receiveMode;
  if (mode === 'on-connection') return pass(RECEIVE_MODE, 'on-connection');
  return fail(
    RECEIVE_MODE,
    `${mode}: messages that arrive while the bridge is not connected are lost`,
    'restart signal-cli with --receive-mode=on-connection',
  );
}

async function signalCliAccount(
  ctx: DoctorContext,
  url: string,
  account: string,
  running: LocalDaemon,
): Promise<CheckResult> {
  const masked = maskIdentifier(account);
  const fix = `register or link ${masked} with signal-cli first (signal-cli -a <SIGNAL_ACCOUNT> register, or link), or correct SIGNAL_ACCOUNT`;
  let answer: JsonAnswer;
  try {
    answer = await requestJson(
      ctx.clock,
      'POST',
      `${url}/api/v1/rpc`,
      { jsonrpc: '2.0', id: 'doctor', method: 'listAccounts' },
      ctx.timeoutMs,
    );
  } catch (error) {
    return fail(ACCOUNT, `listAccounts: ${why(error)}`, fix);
  }
  const body = answer.body as { result?: unknown; error?: { code?: number; message?: string } };
  if (Array.isArray(body?.result)) {
    const numbers = (body.result as { number?: unknown }[]).map((a) => a?.number);
    return numbers.includes(account)
      ? pass(ACCOUNT, `${masked} is registered with signal-cli`)
      : fail(
          ACCOUNT,
          `${masked} is not among the ${numbers.length} account(s) signal-cli serves`,
          fix,
        );
  }
  if (body?.error?.code !== -32601) {
    const text = body?.error?.message ?? `HTTP ${answer.status}`;
    return fail(ACCOUNT, `listAccounts: ${text}`, fix);
  }
  // A single-account daemon (`-a ACCOUNT daemon`) has no listAccounts; it starts only for a
  // registered account, but says nothing about which one.
  const served = 'process' in running ? running.process.account : undefined;
  if (served === account) return pass(ACCOUNT, `${masked} is the account signal-cli serves`);
  if (served) {
    return fail(
      ACCOUNT,
      `signal-cli serves ${maskIdentifier(served)}, not ${masked}`,
      'correct SIGNAL_ACCOUNT, or start signal-cli with -a <SIGNAL_ACCOUNT>',
    );
  }
  return warn(
    ACCOUNT,
    `signal-cli serves one account and does not say which`,
    `make sure signal-cli was started with -a ${masked}`,
  );
}

async function checkRestApi(config: AppConfig, ctx: DoctorContext): Promise<CheckResult[]> {
  const { url, account } = config.signal;
  let about: JsonAnswer;
  try {
    about = await get(ctx, `${url}/v1/about`);
  } catch (error) {
    return [
      fail(
        DAEMON,
        `nothing answers at ${url} (${why(error)})`,
        'start signal-cli-rest-api with MODE=json-rpc, or correct SIGNAL_URL',
      ),
    ];
  }
  const info = about.body as { mode?: unknown } | null;
  if (about.status !== 200 || typeof info?.mode !== 'string') {
    return [
      fail(
        DAEMON,
        `${url}/v1/about answered HTTP ${about.status} without a mode`,
        "point SIGNAL_URL at signal-cli-rest-api, or set SIGNAL_TRANSPORT=signal-cli for signal-cli's own daemon",
      ),
    ];
  }
  if (info.mode !== 'json-rpc') {
    return [
      fail(
        DAEMON,
        `signal-cli-rest-api answers at ${url}, but in ${info.mode} mode`,
        'restart it with MODE=json-rpc: the bridge receives through its WebSocket',
      ),
    ];
  }
  const results = [
    pass(DAEMON, `signal-cli-rest-api answers at ${url} (json-rpc mode)`),
    warn(
      RECEIVE_MODE,
      'signal-cli-rest-api runs signal-cli in on-start mode: messages that arrive while the bridge is not connected are lost',
      "use signal-cli's own daemon with --receive-mode=on-connection and SIGNAL_TRANSPORT=signal-cli",
    ),
  ];
  return [...results, await restAccount(ctx, url, account)];
}

async function restAccount(ctx: DoctorContext, url: string, account: string): Promise<CheckResult> {
  const masked = maskIdentifier(account);
  const fix = `register or link ${masked} in signal-cli-rest-api first, or correct SIGNAL_ACCOUNT`;
  let answer: JsonAnswer;
  try {
    answer = await get(ctx, `${url}/v1/accounts`);
  } catch (error) {
    return fail(ACCOUNT, `GET /v1/accounts: ${why(error)}`, fix);
  }
  if (!Array.isArray(answer.body)) {
    return fail(ACCOUNT, `GET /v1/accounts answered HTTP ${answer.status}`, fix);
  }
  const numbers = answer.body as unknown[];
  return numbers.includes(account)
    ? pass(ACCOUNT, `${masked} is registered with signal-cli-rest-api`)
    : fail(
        ACCOUNT,
        `${masked} is not among the ${numbers.length} account(s) signal-cli-rest-api serves`,
        fix,
      );
}

function get(ctx: DoctorContext, url: string): Promise<JsonAnswer> {
  return requestJson(ctx.clock, 'GET', url, undefined, ctx.timeoutMs);
}

/** requestJson's reason without the method and URL it starts with (`ECONNREFUSED`). */
function why(error: unknown): string {
  if (error instanceof SignalTransportError && error.reason) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

function portOf(url: string): number {
  const parsed = new URL(url);
  return Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}
