import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { FakeClock } from '../../src/common/clock';
import { Sqlite } from '../../src/common/database';
import { DatabaseBackup, formatSize, WalCheckpoint } from '../../src/modules/maintenance';
import { OutboxService } from '../../src/modules/outbox';
import { SessionsService } from '../../src/modules/sessions';
import { createApp, TestApp } from '../utils/create-app';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { makeTempDir } from '../utils/temp-dir';
import { waitFor } from '../utils/wait-for';

/** A Sqlite whose backups come out with a page overwritten, as a failing disk would leave them. */
class DamagingSqlite extends Sqlite {
  damage = false;

  override async backup(
    destination: string,
    nextStep: (progress: Database.BackupMetadata) => number,
  ): Promise<Database.BackupMetadata> {
    const result = await super.backup(destination, nextStep);
    if (this.damage) {
      const fd = openSync(destination, 'r+');
      writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, 2 * 4096);
      closeSync(fd);
    }
    return result;
  }
}

/**
 * A Sqlite whose backups race another connection: before each step of the copy, that connection
 * commits a row, which makes SQLite restart the copy from the first page.
 */
class RacedSqlite extends Sqlite {
  other?: Database.Database;
  steps = 0;

  override backup(
    destination: string,
    nextStep: (progress: Database.BackupMetadata) => number,
  ): Promise<Database.BackupMetadata> {
    return super.backup(destination, (progress) => {
      if (++this.steps > 1000) throw new Error('the copy never ends');
      this.other?.prepare('INSERT INTO other_writes (payload) VALUES (randomblob(100))').run();
      return nextStep(progress);
    });
  }
}

const backupDir = (t: TestApp): string => join(t.dir, 'data', 'backups');
const backupsIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** Opens a backup read-only and reports its integrity check and what it holds. */
function inspect(path: string, sql: string): { integrity: unknown; rows: unknown[] } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      rows: db.prepare(sql).raw().all(),
    };
  } finally {
    db.close();
  }
}

async function metric(t: TestApp, name: string): Promise<Record<string, number>> {
  const values = (await t.app.get(Registry).getSingleMetric(name)?.get())?.values ?? [];
  return Object.fromEntries(values.map((v) => [v.labels.outcome ?? '', v.value]));
}

describe('maintenance schedule', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const schedules = (app: TestApp): Record<string, string> =>
    Object.fromEntries(
      [...app.app.get(SchedulerRegistry).getCronJobs()].map(([name, job]) => [
        name,
        String(job.cronTime.source),
      ]),
    );

  it('registers the nightly backup, the hourly inbound purge and the WAL checkpoint in SchedulerRegistry', async () => {
    t = await createApp({ listen: false });
    expect(schedules(t)).toEqual({
      'database-backup': '0 3 * * *',
      'inbound-purge': '0 * * * *',
      'wal-checkpoint': '30 * * * *',
    });
  });

  it('schedules the backup at BACKUP_CRON', async () => {
    t = await createApp({ listen: false, env: { BACKUP_CRON: '15 2 * * 1-5' } });
    expect(schedules(t)['database-backup']).toBe('15 2 * * 1-5');
  });

  it('takes the backup when BACKUP_CRON falls due on the clock, named by the clock', async () => {
    t = await createApp({ listen: false, env: { BACKUP_CRON: '0 3 * * *' } });
    const dir = backupDir(t);
    await t.clock.advance(24 * 3_600_000); // 03:00 local time comes once in any 24 hours
    await waitFor(() => backupsIn(dir).length === 1, 'the nightly backup');
    const [file] = backupsIn(dir);
    // The name is the clock's time of the run, in UTC; the run was at 03:00 local time.
    const takenAt = new Date(
      file.replace(/^bridge-(.{10})T(\d\d)-(\d\d)-(\d\d)Z\.sqlite$/, '$1T$2:$3:$4Z'),
    );
    expect([takenAt.getHours(), takenAt.getMinutes(), takenAt.getSeconds()]).toEqual([3, 0, 0]);
    expect(inspect(join(dir, file), 'SELECT 1').integrity).toBe('ok');
    expect(await metric(t, 'bridge_backups_total')).toEqual({ ok: 1, failed: 0 });
    expect(await metric(t, 'bridge_last_backup_timestamp_seconds')).toEqual({
      '': takenAt.getTime() / 1000,
    });
    await t.clock.advance(24 * 3_600_000);
    await waitFor(() => backupsIn(dir).length === 2, 'the next night’s backup');
  });

  it('the checkpoint never waits on another connection reading: busy at once, and the wait restored', async () => {
    // SQLite's wait blocks the event loop (no timer can end it), so the test looks at the
    // busy timeout in force while the checkpoint statement runs.
    const slow = await createApp({ listen: false, env: { DATABASE_BUSY_TIMEOUT_MS: '1000' } });
    try {
      await slow.app.get(SessionsService).create({ conversationId: 'c', project: '.' });
      const sqlite = slow.app.get(Sqlite);
      const prepare = sqlite.prepare.bind(sqlite);
      let during: unknown;
      jest.spyOn(sqlite, 'prepare').mockImplementation((sql: string) => {
        if (sql.includes('wal_checkpoint')) during = prepare('PRAGMA busy_timeout').pluck().get();
        return prepare(sql);
      });
      const reader = new Database(join(slow.dir, 'data', 'bridge.sqlite'), { readonly: true });
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT count(*) FROM sessions').get(); // holds a read snapshot
      try {
        expect(slow.app.get(WalCheckpoint).checkpoint().busy).toBe(1);
      } finally {
        reader.prepare('COMMIT').run();
        reader.close();
      }
      expect(during).toBe(0);
      expect(prepare('PRAGMA busy_timeout').pluck().get()).toBe(1000);
    } finally {
      await slow.close();
    }
  });

  it('truncates the WAL at half past the hour', async () => {
    t = await createApp({ listen: false });
    const outbox = t.app.get(OutboxService);
    for (let i = 0; i < 200; i++) {
      outbox.enqueue({ to: { kind: 'dm', peer: OWNER.uuid }, body: `reply ${i}`, kind: 'reply' });
    }
    const wal = join(t.dir, 'data', 'bridge.sqlite-wal');
    expect(statSync(wal).size).toBeGreaterThan(0);
    await t.clock.advance(29 * 60_000);
    expect(statSync(wal).size).toBeGreaterThan(0);
    await t.clock.advance(60_000);
    expect(statSync(wal).size).toBe(0);
    // Called directly: nothing was written since, nothing to copy, nothing in the way.
    expect(t.app.get(WalCheckpoint).checkpoint()).toEqual({ busy: 0, log: 0, checkpointed: 0 });
  });
});

describe('database backups', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('keeps exactly the last BACKUP_KEEP, each one whole and holding the rows committed before it', async () => {
    t = await createApp({ listen: false, env: { BACKUP_KEEP: '3' } });
    const dir = backupDir(t);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'not a backup');
    for (const ending of ['', '-wal', '-shm'])
      writeFileSync(
        join(dir, `bridge-2025-12-31T23-00-00Z.sqlite.partial${ending}`),
        'left by a crash',
      );
    const sessions = t.app.get(SessionsService);
    const backups = t.app.get(DatabaseBackup);
    const saved: string[] = [];
    for (let i = 1; i <= 5; i++) {
      await sessions.create({ conversationId: `dm-${i}`, project: '.' });
      saved.push((await backups.backup()).file);
      await t.clock.advance(60_000);
    }
    expect(saved).toEqual([
      'bridge-2026-01-01T00-00-00Z.sqlite',
      'bridge-2026-01-01T00-01-00Z.sqlite',
      'bridge-2026-01-01T00-02-00Z.sqlite',
      'bridge-2026-01-01T00-03-00Z.sqlite',
      'bridge-2026-01-01T00-04-00Z.sqlite',
    ]);
    expect(backupsIn(dir)).toEqual([...saved.slice(2), 'notes.txt']);
    saved.slice(2).forEach((file, i) => {
      const backup = inspect(join(dir, file), 'SELECT conversation_id FROM sessions ORDER BY 1');
      expect(backup).toEqual({
        integrity: 'ok',
        rows: Array.from({ length: i + 3 }, (_, k) => [`dm-${k + 1}`]),
      });
    });
    expect(await metric(t, 'bridge_backups_total')).toEqual({ ok: 5, failed: 0 });
  });

  it('a copy restarted by another connection’s writes before every step still finishes, holding them', async () => {
    let sqlite: RacedSqlite | undefined;
    t = await createApp({
      listen: false,
      override: (b) =>
        b.overrideProvider(Sqlite).useFactory({
          inject: [DataSource],
          factory: (dataSource: DataSource) => (sqlite = new RacedSqlite(dataSource)),
        }),
    });
    const raced = sqlite as RacedSqlite;
    const other = new Database(join(t.dir, 'data', 'bridge.sqlite'), { timeout: 5000 });
    try {
      other.exec('CREATE TABLE other_writes (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
      other.transaction(() => {
        const insert = other.prepare(
          'INSERT INTO other_writes (payload) VALUES (randomblob(2000))',
        );
        for (let i = 0; i < 2000; i++) insert.run(); // ~4 MB: about 1,000 pages to copy
      })();
      raced.other = other;
      const { file } = await t.app.get(DatabaseBackup).backup();
      // 100 pages a step, each step restarted: without the growing step this never ends.
      expect(raced.steps).toBeLessThan(20);
      const copy = inspect(
        join(backupDir(t), file),
        'SELECT count(*) FROM other_writes WHERE id <= 2000',
      );
      expect(copy).toEqual({ integrity: 'ok', rows: [[2000]] });
    } finally {
      other.close();
    }
  });

  it('a backup is one self-contained file: no -wal or -shm beside it, even after reading it', async () => {
    t = await createApp({ listen: false });
    const { file } = await t.app.get(DatabaseBackup).backup();
    const path = join(backupDir(t), file);
    expect(inspect(path, 'SELECT count(*) FROM migrations').integrity).toBe('ok');
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    db.close();
    expect(backupsIn(backupDir(t))).toEqual([file]);
  });

  it('after a restart, the last-backup metric comes from the newest backup on disk', async () => {
    const temp = makeTempDir();
    try {
      const first = await createApp({ dir: temp.path, listen: false });
      await first.app.get(DatabaseBackup).backup();
      await first.close();
      t = await createApp({
        dir: temp.path,
        listen: false,
        clock: new FakeClock('2026-01-02T00:00:00.000Z'),
      });
      expect(await metric(t, 'bridge_last_backup_timestamp_seconds')).toEqual({
        '': Date.parse('2026-01-01T00:00:00.000Z') / 1000,
      });
    } finally {
      await t?.close();
      t = undefined;
      temp.remove();
    }
  });

  it('a shutdown waits for the backup being written', async () => {
    t = await createApp({ listen: false });
    const dir = backupDir(t);
    const backup = t.app.get(DatabaseBackup).backup();
    await t.app.close();
    await expect(backup).resolves.toMatchObject({ file: 'bridge-2026-01-01T00-00-00Z.sqlite' });
    expect(inspect(join(dir, 'bridge-2026-01-01T00-00-00Z.sqlite'), 'SELECT 1').integrity).toBe(
      'ok',
    );
  });
});

describe('/backup from the phone', () => {
  let t: SignalTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('saves a backup now and answers with its name and size', async () => {
    t = await createSignalApp('signal-cli');
    t.sim.phoneSends({ from: OWNER, text: '/backup' });
    await waitFor(() => t?.sim.sent.length === 1, 'the answer');
    const file = 'bridge-2026-01-01T00-00-00Z.sqlite';
    const path = join(t.dir, 'data', 'backups', file);
    expect(t.sim.sent[0].message).toBe(
      `Backup saved: ${file} (${formatSize(statSync(path).size)}). Keeping the last 7.`,
    );
    // The backup holds the record of the very message that asked for it.
    expect(inspect(path, 'SELECT count(*) FROM inbound_messages')).toEqual({
      integrity: 'ok',
      rows: [[1]],
    });
  });

  it('a backup folder that cannot be written: a plain answer naming no path, counted as failed', async () => {
    const temp = makeTempDir();
    writeFileSync(join(temp.path, 'a-file'), 'x');
    t = await createSignalApp('signal-cli', {
      env: { BACKUP_DIR: join(temp.path, 'a-file', 'backups') },
    });
    try {
      t.sim.phoneSends({ from: OWNER, text: '/backup' });
      await waitFor(() => t?.sim.sent.length === 1, 'the answer');
      expect(t.sim.sent[0].message).toBe(
        'I could not run /backup: the backup could not be written (is the disk full, or the backup folder not writable?). The earlier backups are untouched. It is kept: send /retry to run it again.',
      );
      expect(await metric(t, 'bridge_backups_total')).toEqual({ ok: 0, failed: 1 });
    } finally {
      temp.remove();
    }
  });

  it('a backup that fails its integrity check is deleted; the earlier ones stay', async () => {
    let sqlite: DamagingSqlite | undefined;
    t = await createSignalApp('signal-cli', {
      override: (b) =>
        b.overrideProvider(Sqlite).useFactory({
          inject: [DataSource],
          factory: (dataSource: DataSource) => (sqlite = new DamagingSqlite(dataSource)),
        }),
    });
    t.sim.phoneSends({ from: OWNER, text: '/backup' });
    await waitFor(() => t?.sim.sent.length === 1, 'the first answer');
    (sqlite as DamagingSqlite).damage = true;
    await t.clock.advance(60_000);
    t.sim.phoneSends({ from: OWNER, text: '/backup' });
    await waitFor(() => t?.sim.sent.length === 2, 'the second answer');
    expect(t.sim.sent[1].message).toBe(
      'I could not run /backup: the new backup failed its integrity check, so it was deleted. The earlier backups are untouched. It is kept: send /retry to run it again.',
    );
    expect(backupsIn(join(t.dir, 'data', 'backups'))).toEqual([
      'bridge-2026-01-01T00-00-00Z.sqlite',
    ]);
    expect(await metric(t, 'bridge_backups_total')).toEqual({ ok: 1, failed: 1 });
  });
});
