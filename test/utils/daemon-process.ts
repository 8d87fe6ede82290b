import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigEnvironment } from '../../src/common/config';
import { Child, launch, listeningPort } from '../../src/demo/system';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/** A compiled daemon in its own process: its output, and `exited` (the code or signal name). */
export type DaemonProcess = Child;

/** Starts the compiled daemon (`npm run build` first) with exactly `env` plus PATH. */
export function spawnDaemon(env: ConfigEnvironment): DaemonProcess {
  // In the temp folder: away from any developer .env in the checkout.
  return launch('daemon', MAIN, tmpdir(), env);
}

/** Waits for the daemon's `listening` log line (LOG_LEVEL info or lower) and returns its port. */
export function waitForListening(daemon: DaemonProcess): Promise<number> {
  return listeningPort(daemon);
}
