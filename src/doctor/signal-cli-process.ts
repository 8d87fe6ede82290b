/**
 * What a running signal-cli daemon was told on its command line. signal-cli's HTTP API does not
 * reveal its receive mode (and a single-account daemon does not say which account it serves), so
 * the doctor reads them from the process list when signal-cli runs on this machine.
 */
export interface SignalCliProcess {
  /** `-a` / `--account`; undefined for a multi-account daemon. */
  account: string | undefined;
  /** `--receive-mode`; signal-cli's default is `on-start`. */
  receiveMode: string;
  /** The port of `--http[=HOST:PORT]` (signal-cli's default is 8080). */
  httpPort: number;
}

const DEFAULT_HTTP_PORT = 8080;

/**
 * The signal-cli daemons with an HTTP listener among `commandLines` (the shell wrapper, the Java
 * process or the native binary: each names signal-cli, or its main class, and `daemon`).
 */
export function findSignalCliDaemons(commandLines: readonly string[]): SignalCliProcess[] {
  const found: SignalCliProcess[] = [];
  for (const line of commandLines) {
    const words = line.trim().split(/\s+/);
    const daemonAt = words.indexOf('daemon');
    const isSignalCli = words
      .slice(0, Math.max(daemonAt, 0))
      .some((w) => /signal-cli/.test(w) || w === 'org.asamk.signal.Main');
    if (daemonAt < 0 || !isSignalCli) continue;
    const http = option(words.slice(daemonAt + 1), '--http');
    if (http === undefined) continue;
    found.push({
      account: option(words.slice(0, daemonAt), '-a', '--account', '-u', '--username') || undefined,
      receiveMode: option(words.slice(daemonAt + 1), '--receive-mode') || 'on-start',
      httpPort: portOf(http),
    });
  }
  return found;
}

/**
 * The value of the first of `names` in `words` (`--x=v` or `--x v`); `''` when it is present
 * without a value, undefined when it is absent.
 */
function option(words: readonly string[], ...names: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    for (const name of names) {
      if (words[i].startsWith(`${name}=`)) return words[i].slice(name.length + 1);
      if (words[i] === name) {
        const next = words[i + 1];
        return next !== undefined && !next.startsWith('-') ? next : '';
      }
    }
  }
  return undefined;
}

function portOf(address: string): number {
  const port = Number(/:(\d+)$/.exec(address)?.[1]);
  return Number.isInteger(port) && port > 0 ? port : DEFAULT_HTTP_PORT;
}
