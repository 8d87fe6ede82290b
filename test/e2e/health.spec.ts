import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HealthIndicatorService } from '@nestjs/terminus';
import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { DatabaseHealthIndicator } from '../../src/common/database';
import { MIGRATIONS } from '../../src/common/database/migrations';
import { createApp, TestApp } from '../utils/create-app';
import { createSignalApp } from '../utils/signal-harness';
import { httpGet } from '../utils/http';

describe('health endpoints', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('boots on an empty data directory: folder, database and schema are created', async () => {
    t = await createApp();
    const dbPath = join(t.dir, 'data', 'bridge.sqlite');
    expect(existsSync(dbPath)).toBe(true);
    const db = new Database(dbPath, { readonly: true });
    try {
      const applied = db.prepare('SELECT name FROM migrations ORDER BY id').pluck().all();
      expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('answers liveness and readiness with 200 when all is well', async () => {
    t = await createSignalApp('signal-cli');
    await expect(httpGet(t.app, '/health/live')).resolves.toMatchObject({
      status: 200,
      body: { status: 'ok', info: {}, error: {} },
    });
    await expect(httpGet(t.app, '/health/ready')).resolves.toMatchObject({
      status: 200,
      body: {
        status: 'ok',
        info: {
          database: { status: 'up' },
          rateLimit: { status: 'up', state: 'open', pausedForSeconds: 0 },
          outbox: { status: 'up', depth: 0, oldestAgeSeconds: 0 },
          signal: { status: 'up', state: 'CONNECTED', attempt: 0 },
        },
        error: {},
      },
    });
  });

  it('readiness writes the probe row with the injected clock time', async () => {
    t = await createApp();
    await t.clock.advance(61_000);
    await httpGet(t.app, '/health/ready');
    const rows: { checked_at: string }[] = await t.app
      .get(DataSource)
      .query('SELECT checked_at FROM health_probe');
    expect(rows).toEqual([{ checked_at: '2026-01-01T00:01:01.000Z' }]);
  });

  it('readiness answers 503 naming the database when its indicator fails; liveness stays 200', async () => {
    t = await createApp({
      override: (builder) =>
        builder.overrideProvider(DatabaseHealthIndicator).useFactory({
          inject: [HealthIndicatorService],
          // Keeps the class (and so its declared readiness role); only `check` is replaced.
          factory: (indicators: HealthIndicatorService) =>
            Object.assign(Object.create(DatabaseHealthIndicator.prototype) as object, {
              check: (key = 'database') =>
                indicators.check(key).down({ message: 'disk I/O error' }),
            }),
        }),
    });
    await expect(httpGet(t.app, '/health/ready')).resolves.toMatchObject({
      status: 503,
      body: {
        status: 'error',
        error: { database: { status: 'down', message: 'disk I/O error' } },
      },
    });
    await expect(httpGet(t.app, '/health/live')).resolves.toMatchObject({ status: 200 });
  });

  it('readiness answers 503 when the database connection is gone', async () => {
    t = await createApp();
    await t.app.get(DataSource).destroy();
    await expect(httpGet(t.app, '/health/ready')).resolves.toMatchObject({
      status: 503,
      body: { error: { database: { status: 'down', message: 'connection closed' } } },
    });
    await expect(httpGet(t.app, '/health/live')).resolves.toMatchObject({ status: 200 });
  });

  it('readiness answers 503 when writes fail', async () => {
    t = await createApp();
    // A trigger that aborts every write to the probe row stands in for a disk that refuses writes.
    await t.app
      .get(DataSource)
      .query(
        `CREATE TRIGGER refuse BEFORE UPDATE ON health_probe BEGIN SELECT RAISE(ABORT, 'disk refuses writes'); END`,
      );
    await expect(httpGet(t.app, '/health/ready')).resolves.toMatchObject({
      status: 503,
      body: {
        error: { database: { status: 'down', message: 'SqliteError: disk refuses writes' } },
      },
    });
  });

  it('serves Prometheus metrics with process metrics', async () => {
    t = await createApp();
    const answer = await httpGet(t.app, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/plain; charset=utf-8; version=0.0.4');
    expect(answer.text).toMatch(
      /^process_cpu_user_seconds_total\{service="claude-signal-bridge"\} /m,
    );
    expect(answer.text).toMatch(/^nodejs_heap_size_used_bytes\{service="claude-signal-bridge"\} /m);
  });
});
