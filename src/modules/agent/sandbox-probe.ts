import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Why Claude Code's sandbox cannot start on this machine. */
export type SandboxProblem =
  'BWRAP_MISSING' | 'SOCAT_MISSING' | 'USERNS_UNAVAILABLE' | 'UNSUPPORTED_PLATFORM';

export type SandboxProbeResult =
  { ok: true } | { ok: false; problem: SandboxProblem; detail: string };

/** What fixes each problem, as a person would type it. */
export const SANDBOX_FIXES: Record<SandboxProblem, string> = {
  BWRAP_MISSING: 'install bubblewrap: sudo apt-get install -y bubblewrap socat',
  SOCAT_MISSING: 'install socat: sudo apt-get install -y socat',
  USERNS_UNAVAILABLE:
    'allow unprivileged user namespaces: sudo sysctl -w kernel.unprivileged_userns_clone=1 (on Ubuntu 24.04 and later also: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)',
  UNSUPPORTED_PLATFORM: 'run the daemon on Linux or macOS, or set SANDBOX=off',
};

/** A no-op in the namespaces the sandbox makes: it fails where user namespaces are off. */
export const BWRAP_PROBE_ARGS = [
  '--unshare-all',
  '--die-with-parent',
  '--ro-bind',
  '/',
  '/',
  '--dev',
  '/dev',
  '--proc',
  '/proc',
  '/bin/sh',
  '-c',
  ':',
];

/** The first executable called `name` on this PATH. */
export function findExecutable(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Whether Claude Code's sandbox can start with this PATH: on Linux bubblewrap and socat must be
 * there and bubblewrap must be able to make its namespaces (tried with a no-op); on macOS
 * Seatbelt (`sandbox-exec`) ships with the system.
 */
export async function probeSandbox(
  path: string | undefined,
  platform: NodeJS.Platform = process.platform,
): Promise<SandboxProbeResult> {
  if (platform === 'darwin') {
    return findExecutable('sandbox-exec', `/usr/bin${delimiter}${path ?? ''}`)
      ? { ok: true }
      : { ok: false, problem: 'UNSUPPORTED_PLATFORM', detail: 'sandbox-exec is missing' };
  }
  if (platform !== 'linux') {
    return { ok: false, problem: 'UNSUPPORTED_PLATFORM', detail: `no sandbox on ${platform}` };
  }
  const bwrap = findExecutable('bwrap', path);
  if (!bwrap)
    return { ok: false, problem: 'BWRAP_MISSING', detail: 'bubblewrap (bwrap) is not installed' };
  if (!findExecutable('socat', path)) {
    return { ok: false, problem: 'SOCAT_MISSING', detail: 'socat is not installed' };
  }
  return new Promise((resolve) => {
    execFile(bwrap, BWRAP_PROBE_ARGS, { timeout: 5000 }, (error, _stdout, stderr) => {
      if (!error) return resolve({ ok: true });
      const why = String(stderr).trim().split('\n')[0] || error.message;
      resolve({
        ok: false,
        problem: 'USERNS_UNAVAILABLE',
        detail: `bubblewrap cannot start: ${why}`,
      });
    });
  });
}
