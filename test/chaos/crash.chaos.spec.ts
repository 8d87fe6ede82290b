import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FakeClock } from '../../src/common/clock';
import { RecoveryService } from '../../src/modules/recovery/recovery.service';
import { SessionsService } from '../../src/modules/sessions';
import { createApp } from '../utils/create-app';
import { spawnDaemon } from '../utils/daemon-process';
import { makeTempDir } from '../utils/temp-dir';
import { testEnvironment } from '../utils/test-config';

const DIST = join(__dirname, '..', '..', 'dist', 'src');

/**
 * A compiled daemon that leaves sessions ACTIVE mid-work, then is killed with SIGKILL: no
 * shutdown hook runs and the WAL is never checkpointed.
 */
const CHILD = `
  require('reflect-metadata');
  const { NestFactory } = require('@nestjs/core');
  const { AppModule } = require(${JSON.stringify(join(DIST, 'app.module'))});
  const { loadConfig } = require(${JSON.stringify(join(DIST, 'common', 'config'))});
  const { SessionsService, ActivityLogService } = require(${JSON.stringify(join(DIST, 'modules', 'sessions'))});
  (async () => {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig(process.env)), { logger: false });
    const sessions = app.get(SessionsService);
    const activity = app.get(ActivityLogService);
    for (let i = 0; i < 20; i++) {
      const s = await sessions.create({ conversationId: 'dm-' + i, project: '.', context: { i } });
      if (i % 4 !== 0) {
        await sessions.transition(s.id, 'ACTIVE');
        await activity.trackActivity(s.id, 'command', { command: 'npm test', outcome: 'running' });
      }
    }
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  })();
`;

describe('recovery after the daemon is killed', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  it('finds the killed daemon’s ACTIVE sessions and pauses them', async () => {
    const child = spawn(process.execPath, ['-e', CHILD], {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH, ...testEnvironment(temp.path) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
    });
    const killed = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    await expect(killed).resolves.toBe('SIGKILL');

    const t = await createApp({
      dir: temp.path,
      listen: false,
      clock: new FakeClock('2026-05-05T05:05:05.000Z'),
    });
    try {
      const report = t.app.get(RecoveryService).lastReport;
      expect(report?.sessions).toHaveLength(15);
      const all = await t.app.get(SessionsService).list();
      expect(all).toHaveLength(20);
      expect(all.filter((s) => s.status === 'CREATED')).toHaveLength(5);
      expect(
        all
          .filter((s) => s.status === 'PAUSED')
          .every((s) => s.recoveredAt === '2026-05-05T05:05:05.000Z' && s.lastActivityAt !== null),
      ).toBe(true);
    } finally {
      await t.close();
    }
    const db = new Database(join(temp.path, 'data', 'bridge.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});

describe('a recovery that fails in the real daemon', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  it('exits 1 with the cause in one line and leaves every session as it was', async () => {
    const seed = await createApp({ dir: temp.path, listen: false });
    const sessions = seed.app.get(SessionsService);
    for (let i = 0; i < 3; i++) {
      const s = await sessions.create({ conversationId: `dm-${i}`, project: '.' });
      await sessions.transition(s.id, 'ACTIVE');
    }
    await seed.close();
    const dbPath = join(temp.path, 'data', 'bridge.sqlite');
    const db = new Database(dbPath);
    // The write that completes recovery fails the way a full or failing disk would.
    db.exec(`CREATE TRIGGER fail_recovery BEFORE INSERT ON recovery_runs
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    const before = db.prepare('SELECT * FROM sessions ORDER BY id').all();
    db.close();

    const daemon = spawnDaemon(testEnvironment(temp.path));
    await expect(daemon.exited).resolves.toBe(1);
    expect(daemon.stderr()).toBe(
      'claude-signal-bridge failed to start: crash recovery failed, nothing was changed: database or disk is full\n',
    );
    const after = new Database(dbPath, { readonly: true });
    try {
      expect(after.prepare('SELECT * FROM sessions ORDER BY id').all()).toEqual(before);
      expect(
        after.prepare(`SELECT count(*) FROM sessions WHERE status = 'ACTIVE'`).pluck().get(),
      ).toBe(3);
    } finally {
      after.close();
    }
  });
});
