import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ScriptedReply } from '../model-sim/scripted-model-server';
import type { PhoneMessage } from '../simulator/phone';
import type { SentMessage } from '../simulator/network';

/** The bot's account and the owner's phone in every system this file starts. */
export const BOT = '+15550100000';
export const OWNER = { number: '+15550100001', uuid: 'a11ce000-0000-4000-8000-000000000001' };

// The compiled scripts, whether this file runs compiled (the demo) or from source (jest).
const DIST = __filename.endsWith('.ts')
  ? join(__dirname, '..', '..', 'dist', 'src')
  : join(__dirname, '..');
export const SCRIPTS = {
  daemon: join(DIST, 'daemon.js'),
  simulator: join(DIST, 'simulator', 'main.js'),
  model: join(DIST, 'model-sim', 'main.js'),
  demo: join(DIST, 'demo', 'main.js'),
};

/** One child process with its output kept, and how it ended. */
export class Child {
  private out = '';
  private err = '';
  readonly exited: Promise<number | string>;
  private ended = false;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.err += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.ended = true;
        resolve(code ?? signal ?? -1);
      }),
    );
  }

  get running(): boolean {
    return !this.ended;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs` if it is still there. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | string> {
    if (this.ended) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves with the first stdout line `match` accepts (mapped), or rejects if the child ends. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error, found?: T): void => {
        this.child.stdout?.off('data', check);
        this.child.off('exit', ended);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(found as T);
      };
      // Runs after the constructor's listener, so `out` already holds the chunk.
      const check = (): boolean => {
        for (const line of this.out.split('\n').slice(0, -1)) {
          const found = match(line);
          if (found !== undefined) {
            finish(undefined, found);
            return true;
          }
        }
        return false;
      };
      const ended = (): void => {
        if (!check())
          finish(new Error(`${this.name} exited before it was ready: ${this.err.trim()}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`${this.name} was not ready in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.child.stdout?.on('data', check);
      this.child.once('exit', ended);
      if (!check() && this.ended) ended();
    });
  }
}

export interface SystemOptions {
  /** A fresh folder: the daemon's data, the project roots and the agent's HOME go inside. */
  dir: string;
  /** Extra or overriding daemon environment. */
  env?: Record<string, string>;
  transport?: 'signal-cli' | 'rest';
  /** The model repeats each prompt instead of following a script (the interactive demo). */
  echo?: boolean;
}

/**
 * The whole system as separate processes on loopback: the Signal simulator, the scripted model
 * server, and the built daemon, which runs the real Claude Code CLI against that model. The demo
 * plays a phone conversation over it; the process-level chaos tests kill and restart the daemon.
 * Needs `npm run build`.
 */
export class BridgeSystem {
  daemon?: Child;
  daemonUrl = '';
  readonly projects: string;
  readonly dataDir: string;
  readonly home: string;

  private constructor(
    private readonly options: SystemOptions,
    readonly simulator: Child,
    readonly simUrl: string,
    readonly model: Child,
    readonly modelUrl: string,
  ) {
    this.projects = join(options.dir, 'projects');
    this.dataDir = join(options.dir, 'data');
    this.home = join(options.dir, 'home');
  }

  /** Starts the simulator and the model server (not yet the daemon: `startDaemon`). */
  static async start(options: SystemOptions): Promise<BridgeSystem> {
    for (const folder of ['projects', 'data', 'home', 'home/tmp'])
      mkdirSync(join(options.dir, folder), { recursive: true });
    const simulator = launch('simulator', SCRIPTS.simulator, options.dir, {
      SIM_PORT: '0',
      SIM_ACCOUNT: BOT,
    });
    const model = launch('model', SCRIPTS.model, options.dir, {
      MODEL_PORT: '0',
      ...(options.echo ? { MODEL_ECHO: '1' } : {}),
    });
    try {
      const [simUrl, modelUrl] = await Promise.all([
        simulator.waitForLine((line) => /on (http:\/\/\S+)/.exec(line)?.[1]),
        model.waitForLine((line) => /on (http:\/\/\S+)/.exec(line)?.[1]),
      ]);
      return new BridgeSystem(options, simulator, simUrl, model, modelUrl);
    } catch (error) {
      await Promise.all([simulator.stop(), model.stop()]);
      throw error;
    }
  }

  /** The daemon's environment: embedded defaults, pointed at this system's processes. */
  daemonEnvironment(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      HOME: this.home,
      // What the daemon passes on to Claude Code: the scripted model, a key it never checks.
      ANTHROPIC_BASE_URL: this.modelUrl,
      ANTHROPIC_API_KEY: 'sk-demo-not-a-real-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      SIGNAL_ACCOUNT: BOT,
      SIGNAL_URL: this.simUrl,
      SIGNAL_TRANSPORT: this.options.transport ?? 'signal-cli',
      AUTHORIZED_SENDERS: OWNER.number,
      PROJECT_ROOTS: this.projects,
      DATA_DIR: this.dataDir,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      RATE_LIMIT_PER_MINUTE: '600',
      RATE_LIMIT_BURST: '20',
      AGENT_STOP_GRACE_SECONDS: '2',
      ...this.options.env,
    };
  }

  /** Starts the built daemon and waits until recovery is done and Signal is connected. */
  async startDaemon(env: Record<string, string> = {}): Promise<void> {
    this.daemonUrl = '';
    const daemon = launch('daemon', SCRIPTS.daemon, this.options.dir, {
      ...this.daemonEnvironment(),
      ...env,
    });
    this.daemon = daemon;
    const port = await listeningPort(daemon);
    this.daemonUrl = `http://127.0.0.1:${port}`;
    await this.until(() => this.connected(), 'ready');
  }

  /**
   * Whether the daemon has booted (recovery is a boot step, done before it listens) and its
   * Signal link is up, by its readiness details (an outbox backlog may keep readiness down).
   */
  async connected(): Promise<boolean> {
    const answer = await fetch(`${this.daemonUrl}/health/ready`, { signal: deadline() });
    const body = (await answer.json()) as { details?: { signal?: { status?: string } } };
    return body.details?.signal?.status === 'up';
  }

  /** Kills the daemon with `signal` and waits for it to end; returns its exit code or signal. */
  async stopDaemon(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    const daemon = this.daemon;
    if (!daemon) return -1;
    return daemon.stop(signal);
  }

  /** Stops every process (the daemon first, so it can stop its agent). */
  async stop(): Promise<void> {
    await this.daemon?.stop();
    await Promise.all([this.simulator.stop(), this.model.stop()]);
  }

  // ---- playing the phone ------------------------------------------------------------------

  /** The owner's phone sends `text`; resolves with the message's Signal timestamp. */
  async phone(text: string, extra: Partial<PhoneMessage> = {}): Promise<number> {
    const event = await this.control<{ envelope: { timestamp: number } }>(
      'POST',
      '/control/phone',
      {
        from: OWNER,
        text,
        ...extra,
      },
    );
    return event.envelope.timestamp;
  }

  /** Everything the bot sent so far, in order. */
  sent(): Promise<SentMessage[]> {
    return this.control<SentMessage[]>('GET', '/control/sent');
  }

  /** Applies simulator faults (`{drop}`, `{refuseMs}`, `{perMinute, burst}`, …). */
  async faults(faults: Record<string, unknown>): Promise<void> {
    await this.control('POST', '/control/faults', faults);
  }

  /** Queues scripted model replies for the agent's next requests. */
  async script(...replies: ScriptedReply[]): Promise<void> {
    await this.post(this.modelUrl, '/control/reply', { replies });
  }

  /** Answers every further model request with `reply` (null: back to the script). */
  async always(reply: ScriptedReply | null): Promise<void> {
    await this.post(this.modelUrl, '/control/always', { reply });
  }

  /** Polls `condition` every 50 ms (real time: these are real processes) for up to `ms`. */
  async until(
    condition: () => Promise<boolean> | boolean,
    what: string,
    ms = 30_000,
  ): Promise<void> {
    const end = performance.now() + ms;
    for (;;) {
      try {
        if (await condition()) return;
      } catch {
        // not answering yet
      }
      if (this.daemon && !this.daemon.running)
        throw new Error(`the daemon exited while waiting for ${what}: ${this.daemon.stderr()}`);
      if (performance.now() > end) throw new Error(`gave up waiting for ${what}`);
      await delay(50);
    }
  }

  /** Calls the simulator's control API. */
  control<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return method === 'GET'
      ? this.get<T>(this.simUrl, path)
      : this.post<T>(this.simUrl, path, body);
  }

  private async get<T>(base: string, path: string): Promise<T> {
    const answer = await fetch(`${base}${path}`, { signal: deadline() });
    if (!answer.ok) throw new Error(`GET ${path}: HTTP ${answer.status}`);
    return (await answer.json()) as T;
  }

  private async post<T>(base: string, path: string, body: unknown): Promise<T> {
    const answer = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      signal: deadline(),
    });
    if (!answer.ok) throw new Error(`POST ${path}: HTTP ${answer.status}`);
    return (await answer.json()) as T;
  }
}

/** Every call to one of the processes: a hung one fails the wait instead of hanging it. */
const deadline = (): AbortSignal => AbortSignal.timeout(5000);

/** The port in the daemon's `listening` log line (LOG_LEVEL info or lower, JSON logs). */
export function listeningPort(daemon: Child): Promise<number> {
  return daemon.waitForLine((line) => {
    if (!line.startsWith('{')) return undefined;
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    return entry.msg === 'listening' ? entry.port : undefined;
  });
}

/** Spawns `node script` (never through a shell) with exactly `env` plus PATH. */
export function launch(
  name: string,
  script: string,
  cwd: string,
  env: Record<string, string | undefined>,
): Child {
  const child = spawn(process.execPath, [script], {
    cwd, // away from any developer .env in the checkout
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Child(name, child);
}
