import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Clock, FakeClock } from '../../src/common/clock';
import { ConfigEnvironment, loadConfig } from '../../src/common/config';
import { MIGRATIONS } from '../../src/common/database/migrations';
import {
  checkAgentExecutable,
  checkAgentLogin,
  resolveAgentExecutable,
} from '../../src/doctor/agent.checks';
import { DoctorContext, renderCheck } from '../../src/doctor/check';
import { runDoctor } from '../../src/doctor/doctor';
import { checkSignal } from '../../src/doctor/signal.checks';
import { sandboxChecks } from '../../src/doctor/sandbox.checks';
import { findExecutable } from '../../src/modules/agent/sandbox-probe';
import {
  checkDatabase,
  checkDataDir,
  checkDiskSpace,
  checkProjectRoots,
} from '../../src/doctor/storage.checks';
import { SignalSimulator, SimulatorOptions } from '../../src/simulator/signal-simulator';
import { createApp } from '../utils/create-app';
import { makeTempDir } from '../utils/temp-dir';
import { BOT_ACCOUNT, testEnvironment } from '../utils/test-config';

const FAKE_CLAUDE = join(__dirname, '..', 'fixtures', 'agent', 'fake-claude-info.js');
const DOCTOR = join(__dirname, '..', '..', 'dist', 'src', 'doctor', 'main.js');
const SOURCE = 'set by the test';
const isRoot = process.getuid?.() === 0;

/** Nothing listens there: a port taken from the OS and given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function context(
  env: ConfigEnvironment,
  options: { clock?: Clock; processes?: readonly string[] } = {},
): DoctorContext {
  return {
    env,
    clock: options.clock ?? new FakeClock(),
    timeoutMs: 5000,
    listProcesses: () => Promise.resolve('processes' in options ? options.processes : []),
  };
}

/** `ps` output for a signal-cli daemon serving `account` over HTTP on `port`. */
function signalCliLine(account: string, port: number, receiveMode = 'on-connection'): string {
  return `/bin/sh /usr/local/bin/signal-cli -a ${account} daemon --http 127.0.0.1:${port} --receive-mode=${receiveMode}`;
}

const lines = (results: Parameters<typeof renderCheck>[0][]) => results.flatMap(renderCheck);

describe('npm run doctor', () => {
  let temp: { path: string; remove(): void };
  let sim: SignalSimulator;
  let url: string;
  /** The simulator's port. */
  let port: number;

  const dataDir = () => join(temp.path, 'data');
  const database = () => join(temp.path, 'data', 'bridge.sqlite');
  const projects = () => join(temp.path, 'projects');

  beforeEach(async () => {
    temp = makeTempDir('csb-doctor-');
    sim = new SignalSimulator({ account: BOT_ACCOUNT });
    url = await sim.start();
    port = Number(new URL(url).port);
  });

  /** Restarts the simulator with other options. */
  async function restartSimulator(options: Partial<SimulatorOptions>): Promise<void> {
    await sim.stop();
    sim = new SignalSimulator({ account: BOT_ACCOUNT, ...options });
    url = await sim.start();
    port = Number(new URL(url).port);
  }

  afterEach(async () => {
    await sim.stop();
    for (const dir of [dataDir(), projects()]) if (existsSync(dir)) chmodSync(dir, 0o700);
    temp.remove();
  });

  /** A valid environment for this temp dir, the simulator and the fake CLI, with no login of the test runner's. */
  function environment(overrides: ConfigEnvironment = {}): ConfigEnvironment {
    return {
      ...testEnvironment(temp.path, {
        SIGNAL_URL: url,
        AGENT_EXECUTABLE: FAKE_CLAUDE,
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
        SANDBOX: 'auto', // .ci/run installs bubblewrap and socat
      }),
      PATH: process.env.PATH,
      HOME: temp.path,
      ...overrides,
    };
  }

  describe('a working setup', () => {
    it('passes every check against the simulator as signal-cli, with the fake CLI and a model server', async () => {
      const processes = [signalCliLine(BOT_ACCOUNT, port)];
      const report = await runDoctor(context(environment(), { processes }), SOURCE);

      expect(report.lines).toEqual([
        `✔ Configuration: valid (${SOURCE})`,
        `✔ Signal daemon: signal-cli answers at ${url}`,
        '✔ Receive mode: on-connection',
        '✔ Signal account: +1555…0000 is registered with signal-cli',
        `✔ Claude Code: ${FAKE_CLAUDE}, version 2.1.334 (Claude Code)`,
        '✔ Claude login: ANTHROPIC_BASE_URL is set (a model server of your own; its login is not checked)',
        expect.stringMatching(/^✔ Sandbox: bubblewrap: \/.*\/bwrap$/),
        expect.stringMatching(/^✔ Sandbox: socat: \/.*\/socat$/),
        '✔ Sandbox: user namespaces: bubblewrap can make its namespaces',
        `✔ Project root: ${projects()} is readable and writable`,
        `✔ Data directory: ${dataDir()} does not exist yet; it is created at the first start`,
        `✔ Database: ${database()} does not exist yet; it is created at the first start`,
        expect.stringMatching(
          new RegExp(`^✔ Disk space: \\d+(\\.\\d)? [GM]B free for ${dataDir()}$`),
        ),
        '',
        '13 passed, 0 warnings, 0 failed.',
      ]);
      expect(report.ok).toBe(true);
    });

    it('passes against the simulator as signal-cli-rest-api, warning that this API loses messages', async () => {
      const env = environment({ SIGNAL_TRANSPORT: 'rest' });
      const report = await runDoctor(context(env), SOURCE);

      expect(report.lines.slice(1, 5)).toEqual([
        `✔ Signal daemon: signal-cli-rest-api answers at ${url} (json-rpc mode)`,
        '⚠ Receive mode: signal-cli-rest-api runs signal-cli in on-start mode: messages that arrive while the bridge is not connected are lost',
        "    fix: use signal-cli's own daemon with --receive-mode=on-connection and SIGNAL_TRANSPORT=signal-cli",
        '✔ Signal account: +1555…0000 is registered with signal-cli-rest-api',
      ]);
      expect(report.lines.at(-1)).toBe('12 passed, 1 warning, 0 failed.');
      expect(report.ok).toBe(true);
    });

    it('finds the account of a single-account signal-cli daemon on its command line', async () => {
      await restartSimulator({ signalCliSingleAccount: true });
      const config = loadConfig(environment());
      const ours = signalCliLine(BOT_ACCOUNT, port);
      const other = signalCliLine('+15550100009', port);

      const [, , servedByOurs] = await checkSignal(
        config,
        context(environment(), { processes: [ours] }),
      );
      const [, , servedByOther] = await checkSignal(
        config,
        context(environment(), { processes: [other] }),
      );
      const [, , unseen] = await checkSignal(config, context(environment(), { processes: [] }));

      expect(lines([servedByOurs, servedByOther, unseen])).toEqual([
        '✔ Signal account: +1555…0000 is the account signal-cli serves',
        '✘ Signal account: signal-cli serves +1555…0009, not +1555…0000',
        '    fix: correct SIGNAL_ACCOUNT, or start signal-cli with -a <SIGNAL_ACCOUNT>',
        '⚠ Signal account: signal-cli serves one account and does not say which',
        '    fix: make sure signal-cli was started with -a +1555…0000',
      ]);
    });

    it('runs as the built script: reads .env from the working directory and exits 0', async () => {
      const env = environment();
      const dotEnv = Object.entries(env)
        .filter(([name]) => name !== 'PATH' && name !== 'HOME')
        .map(([name, value]) => `${name}=${value}`)
        .join('\n');
      writeFileSync(join(temp.path, '.env'), `${dotEnv}\n`);

      const run = await runDoctorScript(temp.path, { PATH: env.PATH, HOME: temp.path });

      expect(run.stdout.split('\n')[0]).toBe(
        `✔ Configuration: valid (read ${join(temp.path, '.env')} and the environment)`,
      );
      // No signal-cli process runs on this machine: receive mode is the one warning.
      expect(run.stdout).toContain(
        `⚠ Receive mode: not checked: no signal-cli daemon with --http on port ${port} in this machine's process list\n`,
      );
      expect(run.stdout).toMatch(/\n12 passed, 1 warning, 0 failed\.\n$/);
      expect(run.code).toBe(0);
    });
  });

  describe('Signal', () => {
    it('fails when nothing listens at SIGNAL_URL, and runs no other Signal check', async () => {
      const closed = await closedPort();
      const config = loadConfig(environment({ SIGNAL_URL: `http://127.0.0.1:${closed}` }));

      const results = await checkSignal(config, context(environment()));

      expect(lines(results)).toEqual([
        `✘ Signal daemon: nothing answers at http://127.0.0.1:${closed} (ECONNREFUSED)`,
        `    fix: start signal-cli -a <SIGNAL_ACCOUNT> daemon --http 127.0.0.1:${closed} --receive-mode=on-connection, or correct SIGNAL_URL`,
      ]);
    });

    it('gives up on a signal-cli that accepts the connection but never answers, after 5 s', async () => {
      await restartSimulator({ clock: new FakeClock() });
      sim.delayResponses(60_000); // on the simulator's clock, which never moves: no answer at all
      const clock = new FakeClock();
      const config = loadConfig(environment({ SIGNAL_URL: url }));

      let settled = false;
      const checking = checkSignal(config, context(environment(), { clock })).finally(
        () => (settled = true),
      );
      await clock.advance(4999);
      expect(settled).toBe(false);
      await clock.advance(1);

      expect(lines(await checking)).toEqual([
        `✘ Signal daemon: nothing answers at ${url} (no answer within 5000 ms)`,
        `    fix: start signal-cli -a <SIGNAL_ACCOUNT> daemon --http 127.0.0.1:${port} --receive-mode=on-connection, or correct SIGNAL_URL`,
      ]);
    });

    it('fails a signal-cli in on-start mode and warns when its receive mode cannot be seen', async () => {
      const config = loadConfig(environment());
      const onStart = signalCliLine(BOT_ACCOUNT, port).replace(' --receive-mode=on-connection', '');

      const [, started] = await checkSignal(
        config,
        context(environment(), { processes: [onStart] }),
      );
      const [, unreadable] = await checkSignal(
        config,
        context(environment(), { processes: undefined }),
      );

      expect(lines([started, unreadable])).toEqual([
        '✘ Receive mode: on-start: messages that arrive while the bridge is not connected are lost',
        '    fix: restart signal-cli with --receive-mode=on-connection',
        '⚠ Receive mode: not checked: the process list could not be read',
        '    fix: make sure signal-cli runs with --receive-mode=on-connection, or messages that arrive while the bridge is down are lost',
      ]);
    });

    it('fails when the account is not registered, on both APIs', async () => {
      sim.unregistered.add(BOT_ACCOUNT);

      const [, , cli] = await checkSignal(loadConfig(environment()), context(environment()));
      const [, , rest] = await checkSignal(
        loadConfig(environment({ SIGNAL_TRANSPORT: 'rest' })),
        context(environment()),
      );

      expect(lines([cli, rest])).toEqual([
        '✘ Signal account: +1555…0000 is not among the 0 account(s) signal-cli serves',
        '    fix: register or link +1555…0000 with signal-cli first (signal-cli -a <SIGNAL_ACCOUNT> register, or link), or correct SIGNAL_ACCOUNT',
        '✘ Signal account: +1555…0000 is not among the 0 account(s) signal-cli-rest-api serves',
        '    fix: register or link +1555…0000 in signal-cli-rest-api first, or correct SIGNAL_ACCOUNT',
      ]);
    });
  });

  describe("Claude Code's sandbox", () => {
    /** A folder for PATH holding only the named programs, linked to the real ones. */
    function pathWith(...programs: string[]): string {
      const bin = join(temp.path, 'bin');
      mkdirSync(bin, { recursive: true });
      for (const program of programs) {
        const real = findExecutable(program, process.env.PATH);
        if (real) symlinkSync(real, join(bin, program));
      }
      return bin;
    }

    it('SANDBOX=on: bubblewrap and socat missing each fail with the command that installs them', async () => {
      const env = environment({ SANDBOX: 'on', PATH: pathWith() });
      expect(lines(await sandboxChecks(loadConfig(env), context(env)))).toEqual([
        '✘ Sandbox: bubblewrap: not installed; prompts are refused until it is fixed',
        '    fix: install bubblewrap: sudo apt-get install -y bubblewrap socat',
        '✘ Sandbox: socat: not installed; prompts are refused until it is fixed',
        '    fix: install socat: sudo apt-get install -y socat',
      ]);
    });

    it('SANDBOX=auto: a missing socat only warns', async () => {
      const env = environment({ PATH: pathWith('bwrap') });
      expect(lines(await sandboxChecks(loadConfig(env), context(env)))).toEqual([
        expect.stringMatching(/^✔ Sandbox: bubblewrap: \/.*\/bwrap$/),
        '⚠ Sandbox: socat: not installed; commands run without a sandbox',
        '    fix: install socat: sudo apt-get install -y socat',
        '✔ Sandbox: user namespaces: bubblewrap can make its namespaces',
      ]);
    });

    it('a bubblewrap that cannot make its namespaces: the sysctl that allows them', async () => {
      const bin = pathWith('socat');
      writeFileSync(
        join(bin, 'bwrap'),
        '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n',
        { mode: 0o755 },
      );
      const env = environment({ SANDBOX: 'on', PATH: `${bin}:/usr/bin:/bin` });
      expect(lines(await sandboxChecks(loadConfig(env), context(env))).slice(2)).toEqual([
        '✘ Sandbox: user namespaces: bubblewrap cannot start (bwrap: No permissions to create new namespace); prompts are refused until it is fixed',
        '    fix: allow unprivileged user namespaces: sudo sysctl -w kernel.unprivileged_userns_clone=1 (on Ubuntu 24.04 and later also: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)',
      ]);
    });

    it('SANDBOX=off: one warning that commands run unconfined', async () => {
      const env = environment({ SANDBOX: 'off' });
      expect(lines(await sandboxChecks(loadConfig(env), context(env)))).toEqual([
        '⚠ Sandbox: off (SANDBOX=off): approved commands run with your full access',
        '    fix: set SANDBOX=auto',
      ]);
    });
  });

  describe('the agent', () => {
    it('fails when AGENT_EXECUTABLE names a file that is not there, or a name not on PATH', async () => {
      const missing = join(temp.path, 'bin', 'claude');
      const byPath = environment({ AGENT_EXECUTABLE: missing });
      const byName = environment({ AGENT_EXECUTABLE: 'claude-not-installed', PATH: temp.path });

      const results = [
        await checkAgentExecutable(
          resolveAgentExecutable(loadConfig(byPath), context(byPath)),
          context(byPath),
        ),
        await checkAgentExecutable(
          resolveAgentExecutable(loadConfig(byName), context(byName)),
          context(byName),
        ),
      ];

      const fix =
        '    fix: set AGENT_EXECUTABLE to the full path of claude (command -v claude), or leave it unset to use the CLI the Agent SDK ships';
      expect(lines(results)).toEqual([
        `✘ Claude Code: AGENT_EXECUTABLE ${missing} does not exist`,
        fix,
        '✘ Claude Code: AGENT_EXECUTABLE "claude-not-installed" is not on PATH',
        fix,
      ]);
    });

    it('kills an executable that does not answer --version within 5 s', async () => {
      const env = environment({ FAKE_CLAUDE_HANG: '1' });
      const clock = new FakeClock();
      const ctx = context(env, { clock });

      const checking = checkAgentExecutable(resolveAgentExecutable(loadConfig(env), ctx), ctx);
      await clock.advance(5000);

      expect(lines([await checking])).toEqual([
        `✘ Claude Code: ${FAKE_CLAUDE} --version failed (no answer within 5 s)`,
        `    fix: run ${FAKE_CLAUDE} --version yourself; set AGENT_EXECUTABLE to the full path of claude (command -v claude), or leave it unset to use the CLI the Agent SDK ships`,
      ]);
    });

    it('asks the CLI for its login when no key, token or model server is set, and never prints a key', async () => {
      const loggedOut = environment({ ANTHROPIC_BASE_URL: '', FAKE_CLAUDE_LOGIN: 'none' });
      const loggedIn = environment({ ANTHROPIC_BASE_URL: '' });
      const keyed = environment({ ANTHROPIC_API_KEY: 'sk-ant-secret-key' });
      const login = (env: ConfigEnvironment) =>
        checkAgentLogin(resolveAgentExecutable(loadConfig(env), context(env)), context(env));

      const results = [await login(loggedOut), await login(loggedIn), await login(keyed)];

      expect(lines(results)).toEqual([
        '✘ Claude login: not logged in (claude auth status)',
        '    fix: run claude once as this user and /login, or set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN from claude setup-token) in .env',
        '✔ Claude login: logged in (claude.ai)',
        '✔ Claude login: ANTHROPIC_API_KEY is set',
      ]);
    });

    it('without an executable to ask, looks for the credentials file', async () => {
      const env = environment({
        ANTHROPIC_BASE_URL: '',
        AGENT_EXECUTABLE: join(temp.path, 'none'),
      });
      const executable = resolveAgentExecutable(loadConfig(env), context(env));
      const credentials = join(temp.path, '.claude', '.credentials.json');

      const before = await checkAgentLogin(executable, context(env));
      mkdirSync(join(temp.path, '.claude'));
      writeFileSync(credentials, '{}');
      const after = await checkAgentLogin(executable, context(env));

      expect(lines([before, after])).toEqual([
        `⚠ Claude login: could not tell: no ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or ANTHROPIC_BASE_URL, no ${credentials}, and no answer from claude auth status`,
        '    fix: run claude once as this user and /login, or set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN from claude setup-token) in .env',
        `✔ Claude login: credentials in ${credentials}`,
      ]);
    });
  });

  describe('folders, database and disk', () => {
    it('stops after the configuration when a project root does not exist, listing every problem', async () => {
      const missing = join(temp.path, 'gone');
      const env = environment({ PROJECT_ROOTS: missing, SIGNAL_TRANSPORT: 'smoke-signals' });

      const report = await runDoctor(context(env), SOURCE);

      expect(report.lines).toEqual([
        `✘ Configuration: 2 problems (${SOURCE})`,
        '    SIGNAL_TRANSPORT: must be one of "signal-cli", "rest" (got "smoke-signals")',
        `    PROJECT_ROOTS: "${missing}" does not exist`,
        '    fix: correct these in .env or the environment, then run npm run doctor again',
        '',
        'The other checks need a valid configuration; they were not run.',
        '',
        '0 passed, 0 warnings, 1 failed.',
      ]);
      expect(report.ok).toBe(false);
    });

    it('fails a project root removed after the configuration was read', () => {
      const config = loadConfig(environment());
      rmSync(projects(), { recursive: true });

      expect(lines(checkProjectRoots(config))).toEqual([
        `✘ Project root: ${projects()} cannot be read (ENOENT)`,
        `    fix: make ${projects()} readable by this user, or take it out of PROJECT_ROOTS`,
      ]);
    });

    // Root may write anywhere: as root a chmod proves nothing, so this runs only as another user.
    (isRoot ? describe.skip : describe)('as a user other than root', () => {
      it('fails a data directory this user may not write to (chmod 500)', () => {
        mkdirSync(dataDir());
        chmodSync(dataDir(), 0o500);

        const result = checkDataDir(loadConfig(environment()));

        expect(lines([result])).toEqual([
          `✘ Data directory: ${dataDir()} is not writable (EACCES)`,
          `    fix: make ${dataDir()} writable by this user (chown or chmod u+w), or set DATA_DIR to a folder that is`,
        ]);
      });

      it('fails a project root this user may not read (chmod 000)', () => {
        const config = loadConfig(environment());
        chmodSync(projects(), 0o000);

        expect(lines(checkProjectRoots(config))).toEqual([
          `✘ Project root: ${projects()} is not readable`,
          `    fix: make ${projects()} readable by this user, or take it out of PROJECT_ROOTS`,
        ]);
      });
    });

    it('fails a data directory that cannot be created because a file is in the way', () => {
      writeFileSync(join(temp.path, 'file'), '');
      const dir = join(temp.path, 'file', 'data');

      const result = checkDataDir(loadConfig(environment({ DATA_DIR: dir })));

      expect(lines([result])).toEqual([
        `✘ Data directory: ${dir} cannot be created: ${join(temp.path, 'file')} is not a directory`,
        `    fix: make ${dir} writable by this user (chown or chmod u+w), or set DATA_DIR to a folder that is`,
      ]);
    });

    it('passes a writable data directory and leaves nothing behind in it', () => {
      mkdirSync(dataDir());

      const result = checkDataDir(loadConfig(environment()));

      expect(lines([result])).toEqual([`✔ Data directory: ${dataDir()} is writable`]);
      expect(readdirSync(dataDir())).toEqual([]);
    });

    it('fails a database file that is not SQLite', () => {
      mkdirSync(dataDir());
      writeFileSync(database(), 'this is not a database, just garbage '.repeat(200));

      const result = checkDatabase(loadConfig(environment()));

      expect(lines([result])).toEqual([
        `✘ Database: ${database()} cannot be read as SQLite (file is not a database)`,
        `    fix: stop the daemon, move ${database()} aside (and its -wal and -shm files) and restore a backup, or start with an empty database`,
      ]);
    });

    it("passes the daemon's own migrated database, and counts the migrations an empty one still needs", async () => {
      const daemon = await createApp({ dir: temp.path, listen: false });
      await daemon.close();
      const migrated = checkDatabase(loadConfig(environment()));
      const empty = join(temp.path, 'empty.sqlite');
      new Database(empty).close();
      const fresh = checkDatabase(loadConfig(environment({ DATABASE_PATH: empty })));

      expect(lines([migrated, fresh])).toEqual([
        `✔ Database: ${database()} passed the integrity check; schema up to date`,
        `✔ Database: ${empty} passed the integrity check; ${MIGRATIONS.length} migrations will run at the next start`,
      ]);
    });

    it('warns under the warning threshold of free space and fails under the failure threshold', () => {
      const config = loadConfig(environment());
      const huge = Number.MAX_SAFE_INTEGER;

      const low = checkDiskSpace(config, { warnBelowBytes: huge, failBelowBytes: 0 });
      const full = checkDiskSpace(config, { warnBelowBytes: huge, failBelowBytes: huge });

      const free = `\\d+(\\.\\d)? [GM]B free for ${dataDir()}`;
      const fix = '    fix: free space on that filesystem, or move DATA_DIR to one with more room';
      expect(lines([low, full])).toEqual([
        expect.stringMatching(new RegExp(`^⚠ Disk space: ${free}$`)),
        fix,
        expect.stringMatching(new RegExp(`^✘ Disk space: ${free}$`)),
        fix,
      ]);
    });
  });
});

/** Runs the compiled doctor (`npm run build` first) in `cwd` with exactly `env`. */
function runDoctorScript(
  cwd: string,
  env: ConfigEnvironment,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DOCTOR], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
