import { tmpdir } from 'node:os';
import { ConfigEnvironment } from '../../src/common/config';
import { Child, launch, listeningPort, SCRIPTS } from '../../src/demo/system';

/** A compiled daemon in its own process: its output, and `exited` (the code or signal name). */
export type DaemonProcess = Child;

/** Starts the built daemon as `npm start` does (`npm run build` first), with exactly `env` plus PATH. */
export function spawnDaemon(env: ConfigEnvironment): DaemonProcess {
  // In the temp folder: away from any developer .env in the checkout.
  return launch('daemon', SCRIPTS.daemon, tmpdir(), env);
}

/** Waits for the daemon's `listening` log line (LOG_LEVEL info or lower) and returns its port. */
export function waitForListening(daemon: DaemonProcess): Promise<number> {
  return listeningPort(daemon);
}
