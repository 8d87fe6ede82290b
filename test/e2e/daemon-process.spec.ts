import { createServer, Server } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { launch, SCRIPTS } from '../../src/demo/system';
import { makeTempDir } from '../utils/temp-dir';
import { spawnDaemon, waitForListening } from '../utils/daemon-process';
import { testEnvironment } from '../utils/test-config';

/** The compiled daemon as a real process: start-up failures and clean shutdown. */
describe('daemon process', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'closes HTTP and the database on %s and exits 0',
    async (signal) => {
      const dir = join(temp.path, signal);
      const daemon = spawnDaemon(testEnvironment(dir, { LOG_LEVEL: 'info' }));
      const port = await waitForListening(daemon);
      // No Signal behind it: ready names the link as down, and the database as up.
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(503);
      await expect(ready.json()).resolves.toMatchObject({
        info: { database: { status: 'up' } },
        error: { signal: { status: 'down' } },
      });

      daemon.child.kill(signal);
      await expect(daemon.exited).resolves.toBe(0);
      expect(daemon.stderr()).toBe('');
      // Class loggers reach pino as JSON lines, before and after the app started.
      const lines = daemon
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; context?: string });
      expect(lines).toContainEqual(
        expect.objectContaining({ context: 'DatabaseModule', msg: 'migrations applied' }),
      );
      expect(lines).toContainEqual(
        expect.objectContaining({ context: 'RecoveryService', msg: 'no sessions to recover' }),
      );
      await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();

      const dbPath = join(dir, 'data', 'bridge.sqlite');
      // A clean close checkpoints the WAL into the main file.
      expect(!existsSync(`${dbPath}-wal`) || statSync(`${dbPath}-wal`).size === 0).toBe(true);
      const db = new Database(dbPath, { fileMustExist: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.prepare('SELECT count(*) FROM health_probe').pluck().get()).toBe(1);
      } finally {
        db.close();
      }
    },
  );

  it('stops with exit 1 and one plain line per configuration problem', async () => {
    const daemon = spawnDaemon(
      testEnvironment(join(temp.path, 'bad'), {
        SIGNAL_TRANSPORT: 'smoke-signals',
        SIGNAL_ACCOUNT: '0100',
        PROJECT_ROOTS: '/definitely/not/here',
        HTTP_PORT: 'eighty',
        BACKUP_CRON: '0 25 * * *',
      }),
    );
    await expect(daemon.exited).resolves.toBe(1);
    expect(daemon.stderr()).toBe(
      [
        'Invalid configuration:',
        '  - HTTP_PORT: must be a whole number (got "eighty")',
        '  - SIGNAL_TRANSPORT: must be one of "signal-cli", "rest" (got "smoke-signals")',
        '  - SIGNAL_ACCOUNT: must be a phone number in international format like +15550100000 (got "0100")',
        '  - PROJECT_ROOTS: "/definitely/not/here" does not exist',
        '  - BACKUP_CRON: must be a cron expression (minute hour day month weekday) like "0 3 * * *" (got "0 25 * * *": field value (25) is out of range)',
        '',
      ].join('\n'),
    );
  });

  describe('with the port taken', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('stops with exit 1 naming the port', async () => {
      const daemon = spawnDaemon(
        testEnvironment(join(temp.path, 'port'), { HTTP_PORT: String(port) }),
      );
      await expect(daemon.exited).resolves.toBe(1);
      expect(daemon.stderr()).toBe(
        `claude-signal-bridge failed to start: HTTP_PORT: 127.0.0.1:${port} is already in use\n`,
      );
    });
  });

  it('stops with exit 1 and the cause when the database cannot be created', async () => {
    const blockedBy = join(temp.path, 'a-file');
    writeFileSync(blockedBy, 'not a folder');
    const daemon = spawnDaemon(
      testEnvironment(join(temp.path, 'db'), { DATA_DIR: join(blockedBy, 'data') }),
    );
    await expect(daemon.exited).resolves.toBe(1);
    expect(daemon.stderr()).toBe(
      `claude-signal-bridge failed to start: ENOTDIR: not a directory, mkdir '${join(blockedBy, 'data')}'\n`,
    );
  });

  it('npm start before a build stops with exit 1 and says to build', async () => {
    // The launcher copied into a checkout that has no bundle beside it.
    const unbuilt = join(temp.path, 'unbuilt');
    mkdirSync(join(unbuilt, 'src'), { recursive: true });
    copyFileSync(SCRIPTS.daemon, join(unbuilt, 'src', 'daemon.js'));
    const daemon = launch('daemon', join(unbuilt, 'src', 'daemon.js'), unbuilt, {});
    await expect(daemon.exited).resolves.toBe(1);
    expect(daemon.stderr()).toBe(
      `claude-signal-bridge is not built (no ${join(unbuilt, 'bundle', 'daemon.js')}): run npm run build\n`,
    );
  });
});
