import { Clock } from '../common/clock';

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One line of the checklist, with the fix to print under it when it did not pass. */
export interface CheckResult {
  readonly status: CheckStatus;
  readonly title: string;
  /** What was found; extra lines (e.g. every configuration problem) are printed indented. */
  readonly detail: string;
  /** One line saying what to do; printed under a warning or a failure. */
  readonly fix?: string;
}

/** What the checks need from the machine; tests swap each part. */
export interface DoctorContext {
  /** The environment as the daemon would see it (`.env` already merged in). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Timers for every deadline, so a hung signal-cli cannot hang the doctor. */
  readonly clock: Clock;
  /** How long one request or one program may take. */
  readonly timeoutMs: number;
  /** The command lines of the processes on this machine, or undefined if they cannot be read. */
  listProcesses(): Promise<readonly string[] | undefined>;
}

export const pass = (title: string, detail: string): CheckResult => ({
  status: 'pass',
  title,
  detail,
});

export const warn = (title: string, detail: string, fix: string): CheckResult => ({
  status: 'warn',
  title,
  detail,
  fix,
});

export const fail = (title: string, detail: string, fix: string): CheckResult => ({
  status: 'fail',
  title,
  detail,
  fix,
});

const SYMBOLS: Record<CheckStatus, string> = { pass: '✔', warn: '⚠', fail: '✘' };

/** The checklist lines for one result: `✔ Title: detail`, extra detail lines, then the fix. */
export function renderCheck(result: CheckResult): string[] {
  const [first, ...rest] = result.detail.split('\n');
  const lines = [`${SYMBOLS[result.status]} ${result.title}: ${first}`];
  for (const line of rest) lines.push(`    ${line}`);
  if (result.fix && result.status !== 'pass') lines.push(`    fix: ${result.fix}`);
  return lines;
}

/** `1.2 GB`, `640 MB`: enough to judge free space at a glance. */
export function formatBytes(bytes: number): string {
  const gb = bytes / 1e9;
  if (gb >= 1) return `${gb.toFixed(1)} GB`;
  return `${Math.floor(bytes / 1e6)} MB`;
}

/** The most telling part of an error: its code (`EACCES`) or its message. */
export function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && typeof code === 'string' && !code.startsWith('SQLITE_')) return code;
  // Not `instanceof Error`: errors from another realm (a native module, a vm) fail that test.
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}
