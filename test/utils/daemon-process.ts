import { ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigEnvironment } from '../../src/common/config';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export interface DaemonProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process ends. */
  exited: Promise<number | string>;
}

/** Starts the compiled daemon (`npm run build` first) with exactly `env` plus PATH. */
export function spawnDaemon(env: ConfigEnvironment): DaemonProcess {
  const child = spawn(process.execPath, [MAIN], {
    cwd: tmpdir(), // away from any developer .env in the checkout
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for the daemon's `listening` log line (LOG_LEVEL info or lower) and returns its port. */
export function waitForListening(daemon: DaemonProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      // Whole lines only: a chunk may end mid-line.
      for (const line of daemon.stdout().split('\n').slice(0, -1)) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) {
          daemon.child.stdout?.off('data', check);
          resolve(entry.port);
          return;
        }
      }
    };
    daemon.child.stdout?.on('data', check);
    void daemon.exited.then((code) =>
      reject(new Error(`daemon exited (${code}) before listening: ${daemon.stderr()}`)),
    );
  });
}
