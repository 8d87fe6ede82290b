import { spawn } from 'node:child_process';
import { Clock } from '../common/clock';

/** Output kept per stream: a program that talks more than this is not answering `--version`. */
const MAX_OUTPUT = 64 * 1024;

export interface ProgramRun {
  /** Exit code; null when it was killed or never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** It was still running after the deadline and was killed. */
  timedOut: boolean;
  /** Why it could not be started (`ENOENT`, `EACCES`), if it could not. */
  startError?: string;
}

/**
 * Runs `file` with `args` directly (no shell, so nothing in a path or argument is interpreted),
 * stdin closed, and kills it if it is still running after `timeoutMs`.
 */
export function runProgram(
  clock: Clock,
  file: string,
  args: readonly string[],
  options: { env?: Readonly<Record<string, string | undefined>>; timeoutMs: number },
): Promise<ProgramRun> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const child = spawn(file, args, {
      env: options.env as NodeJS.ProcessEnv | undefined,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const deadline = clock.schedule(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk).slice(0, MAX_OUTPUT)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk).slice(0, MAX_OUTPUT)));
    child.once('error', (error: NodeJS.ErrnoException) => {
      deadline.cancel();
      resolve({ code: null, stdout, stderr, timedOut, startError: error.code ?? error.message });
    });
    child.once('close', (code) => {
      deadline.cancel();
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/**
 * The command lines of every process on this machine (`ps -axo args=`, which Linux and macOS
 * both understand), or undefined when `ps` is missing or does not answer in time.
 */
export async function listProcesses(
  clock: Clock,
  timeoutMs: number,
): Promise<readonly string[] | undefined> {
  const run = await runProgram(clock, 'ps', ['-axo', 'args='], {
    env: { PATH: process.env.PATH, LC_ALL: 'C' },
    timeoutMs,
  });
  if (run.code !== 0) return undefined;
  return run.stdout.split('\n').filter((line) => line.trim().length > 0);
}
