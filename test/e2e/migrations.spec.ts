import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/common/database';
import { MIGRATIONS } from '../../src/common/database/migrations';
import {
  DUE_NOW_SQL,
  OLDEST_PENDING_SQL,
  OUTBOX_HEAD_SQL,
} from '../../src/modules/outbox/outbox.repository';
import { PAUSE_ALL_ACTIVE_SQL } from '../../src/modules/sessions/session.repository';
import { createApp } from '../utils/create-app';
import { makeTempDir } from '../utils/temp-dir';

describe('boot on an existing database', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  it('runs only the pending migrations and leaves existing rows alone', async () => {
    const dbPath = join(temp.path, 'data', 'bridge.sqlite');
    const older = MIGRATIONS.slice(0, -1);
    const ds = new DataSource({
      ...buildDataSourceOptions({ path: dbPath, busyTimeoutMs: 1000 }),
      migrations: older,
    });
    mkdirSync(join(temp.path, 'data'), { recursive: true });
    await ds.initialize();
    await ds.runMigrations();
    await ds.query('CREATE TABLE operator_notes (note TEXT)');
    await ds.query(`INSERT INTO operator_notes VALUES ('kept')`);
    await ds.destroy();

    const first = await createApp({ dir: temp.path, listen: false });
    await first.close();
    const second = await createApp({ dir: temp.path, listen: false });
    await second.close();

    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.prepare('SELECT name FROM migrations ORDER BY id').pluck().all()).toEqual(
        MIGRATIONS.map((m) => m.name),
      );
      expect(db.prepare('SELECT note FROM operator_notes').pluck().all()).toEqual(['kept']);
    } finally {
      db.close();
    }
  });
});

describe('migrations and entities', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  async function migrated(name: string): Promise<DataSource> {
    mkdirSync(join(temp.path, name), { recursive: true });
    const ds = new DataSource(
      buildDataSourceOptions({ path: join(temp.path, name, 'db.sqlite'), busyTimeoutMs: 1000 }),
    );
    await ds.initialize();
    await ds.runMigrations();
    return ds;
  }

  it('leave nothing for migration:generate to find (schema matches the entities)', async () => {
    const ds = await migrated('sync');
    try {
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('revert all the way down and apply again', async () => {
    const ds = await migrated('roundtrip');
    try {
      const tables = () =>
        ds.query(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
        );
      const full = await tables();
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
      await expect(tables()).resolves.toEqual([{ name: 'migrations' }]);
      await ds.runMigrations();
      await expect(tables()).resolves.toEqual(full);
    } finally {
      await ds.destroy();
    }
  });
});

describe('query plans of hot paths', () => {
  it('the outbox head and the recovery scan use their indexes, with no sort', async () => {
    const t = await createApp({ listen: false });
    try {
      const ds = t.app.get(DataSource);
      const plan = async (sql: string, params: unknown[] = []) =>
        ((await ds.query(`EXPLAIN QUERY PLAN ${sql}`, params)) as { detail: string }[])
          .map((r) => r.detail)
          .join('; ');
      // The very statements the dispatcher and recovery run, not copies of them.
      await expect(plan(OUTBOX_HEAD_SQL)).resolves.toBe(
        'SEARCH outbox_messages USING INDEX idx_outbox_next (state=?)',
      );
      await expect(plan(PAUSE_ALL_ACTIVE_SQL, ['t', 't'])).resolves.toBe(
        'SEARCH sessions USING INDEX idx_sessions_active (status=?)',
      );
      // The oldest waiting message (readiness, metrics): a seek per priority, never a scan.
      const oldest = (await plan(OLDEST_PENDING_SQL)).split('; ');
      expect(oldest.filter((step) => step.includes('outbox_messages'))).toEqual(
        Array(3).fill(
          'SEARCH outbox_messages USING INDEX idx_outbox_next (state=? AND priority=?)',
        ),
      );
      expect(oldest.filter((step) => step.includes('B-TREE'))).toEqual([]);
      // A reconnect making retries due reads only the rows waiting out a retry.
      await expect(plan(DUE_NOW_SQL, ['t', 't'])).resolves.toBe(
        'SEARCH outbox_messages USING INDEX idx_outbox_retrying (next_attempt_at>?)',
      );
    } finally {
      await t.close();
    }
  });
});
