import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FakeClock } from '../../src/common/clock';
import { Sqlite } from '../../src/common/database';
import { RecoveryService } from '../../src/modules/recovery/recovery.service';
import { Session, SessionsService, SessionStatus } from '../../src/modules/sessions';
import { DataSource } from 'typeorm';
import { createApp } from '../utils/create-app';
import { httpGet } from '../utils/http';
import { createSignalApp, OWNER } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';
import { faultySqlite } from '../utils/faulty-sqlite';
import { sessionIn } from '../utils/sessions';
import { makeTempDir } from '../utils/temp-dir';

const CRASH_TIME = '2026-01-01T00:00:00.000Z';
const BOOT_TIME = '2026-01-01T06:30:00.000Z';

interface Snapshot {
  integrity: string;
  counts: Record<string, number>;
  rows: Record<string, unknown>[];
}

function snapshot(dir: string): Snapshot {
  const db = new Database(join(dir, 'data', 'bridge.sqlite'), { readonly: true });
  try {
    const counts: Record<string, number> = {};
    for (const table of ['sessions', 'session_activity', 'recovery_runs', 'migrations']) {
      counts[table] = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    }
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      counts,
      rows: db.prepare('SELECT * FROM sessions ORDER BY id').all() as Record<string, unknown>[],
    };
  } finally {
    db.close();
  }
}

/** Sessions in every status, left behind by a daemon that then died. */
async function previousRun(
  dir: string,
  plan: Partial<Record<SessionStatus, number>>,
): Promise<Session[]> {
  const t = await createApp({ dir, listen: false, clock: new FakeClock(CRASH_TIME) });
  const sessions = t.app.get(SessionsService);
  const made: Session[] = [];
  for (const [status, count] of Object.entries(plan) as [SessionStatus, number][]) {
    for (let i = 0; i < count; i++) {
      const s = await sessionIn(sessions, status, {
        conversationId: `${status.toLowerCase()}-${i}`,
        context: { status, i, nested: { keep: ['me', i] } },
      });
      made.push(await sessions.updateContext(s.id, { agentSessionId: `agent-${status}-${i}` }));
    }
  }
  await t.close();
  return made;
}

describe('crash recovery at boot', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  it('pauses exactly the ACTIVE sessions, stamps recoveredAt with the clock, keeps context', async () => {
    const before = await previousRun(temp.path, {
      CREATED: 3,
      ACTIVE: 4,
      PAUSED: 2,
      TERMINATED: 2,
    });
    const t = await createApp({ dir: temp.path, listen: false, clock: new FakeClock(BOOT_TIME) });
    try {
      const report = t.app.get(RecoveryService).lastReport;
      const active = before.filter((s) => s.status === 'ACTIVE');
      expect(report?.recoveredAt).toBe(BOOT_TIME);
      expect(report?.sessions.map((s) => s.id).sort()).toEqual(active.map((s) => s.id).sort());

      const sessions = t.app.get(SessionsService);
      const expected = before.map((old) =>
        old.status === 'ACTIVE'
          ? { ...old, status: 'PAUSED', recoveredAt: BOOT_TIME, updatedAt: BOOT_TIME }
          : old,
      );
      await expect(Promise.all(before.map((old) => sessions.get(old.id)))).resolves.toEqual(
        expected,
      );
    } finally {
      await t.close();
    }
  });

  it('changes nothing the second time', async () => {
    await previousRun(temp.path, { CREATED: 1, ACTIVE: 3, PAUSED: 1, TERMINATED: 1 });
    const first = await createApp({
      dir: temp.path,
      listen: false,
      clock: new FakeClock(BOOT_TIME),
    });
    await first.close();
    const afterFirst = snapshot(temp.path);

    const second = await createApp({
      dir: temp.path,
      listen: false,
      clock: new FakeClock('2026-01-02T00:00:00.000Z'),
    });
    try {
      expect(second.app.get(RecoveryService).lastReport?.sessions).toEqual([]);
      expect(second.app.get(RecoveryService).recover().sessions).toEqual([]);
    } finally {
      await second.close();
    }
    expect(snapshot(temp.path)).toEqual(afterFirst);
    expect(afterFirst.counts.recovery_runs).toBe(1);
  });

  it('returns an empty result when no session was ACTIVE', async () => {
    await previousRun(temp.path, { CREATED: 2, PAUSED: 2, TERMINATED: 2 });
    const before = snapshot(temp.path);
    const t = await createApp({ dir: temp.path, listen: false, clock: new FakeClock(BOOT_TIME) });
    expect(t.app.get(RecoveryService).lastReport).toEqual({ recoveredAt: BOOT_TIME, sessions: [] });
    await t.close();
    expect(snapshot(temp.path)).toEqual(before);
  });

  it('recovers 1,000 ACTIVE sessions in one pass; integrity ok and row counts unchanged', async () => {
    await previousRun(temp.path, { ACTIVE: 1000, PAUSED: 10, TERMINATED: 10 });
    const before = snapshot(temp.path);
    const t = await createApp({ dir: temp.path, listen: false, clock: new FakeClock(BOOT_TIME) });
    const report = t.app.get(RecoveryService).lastReport;
    await t.close();
    expect(report?.sessions).toHaveLength(1000);
    const after = snapshot(temp.path);
    expect(after.integrity).toBe('ok');
    expect(after.counts).toEqual({ ...before.counts, recovery_runs: 1 });
    expect(after.rows.filter((r) => r.status === 'ACTIVE')).toEqual([]);
    const recovered = after.rows.filter((r) => r.recovered_at === BOOT_TIME);
    expect(recovered.every((r) => r.status === 'PAUSED')).toBe(true);
    expect(report?.sessions.map((s) => s.id).sort()).toEqual(recovered.map((r) => r.id).sort());
  });

  it('tells each conversation once: 500 paused sessions in one chat are one notice, 3 in another are one, and readiness is 200 at once', async () => {
    const before = await createApp({
      dir: temp.path,
      listen: false,
      clock: new FakeClock(CRASH_TIME),
    });
    const sessions = before.app.get(SessionsService);
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
      mkdirSync(join(temp.path, 'projects', name), { recursive: true });
    }
    const crowded = `dm:${OWNER.uuid}`;
    for (let i = 0; i < 500; i++) {
      await sessionIn(sessions, 'ACTIVE', {
        conversationId: crowded,
        project: ['alpha', 'beta', 'gamma', 'delta'][i % 4],
      });
    }
    for (const project of ['alpha', 'beta', 'gamma']) {
      await sessionIn(sessions, 'ACTIVE', { conversationId: 'dm:someone-else', project });
    }
    await before.close();

    const t = await createSignalApp('signal-cli', {
      dir: temp.path,
      clock: new FakeClock(BOOT_TIME),
    });
    try {
      await waitFor(
        async () => (await httpGet(t.app, '/health/ready')).status === 200,
        'readiness',
      );
      const notices: { conversation_key: string; body: string }[] = await t.app
        .get(DataSource)
        .query(
          `SELECT conversation_key, body FROM outbox_messages WHERE kind = 'notice' ORDER BY conversation_key`,
        );
      expect(notices).toEqual([
        {
          conversation_key: crowded,
          body: 'I restarted while 500 of your sessions were active, so they are paused now: alpha, beta, gamma and 497 more (/sessions lists them). Send /resume to continue the newest, or /resume <id> for another.',
        },
        {
          conversation_key: 'dm:someone-else',
          body: 'I restarted while 3 of your sessions were active, so they are paused now: alpha, beta and gamma. Send /resume to continue the newest, or /resume <id> for another.',
        },
      ]);
    } finally {
      await t.close();
    }
  });

  it('a database fault in the middle of recovery changes nothing and stops the boot naming the cause', async () => {
    await previousRun(temp.path, { CREATED: 1, ACTIVE: 5, PAUSED: 1 });
    const before = snapshot(temp.path);
    // The sessions are already updated inside the transaction when the run record fails.
    await expect(
      createApp({
        dir: temp.path,
        listen: false,
        clock: new FakeClock(BOOT_TIME),
        override: (builder) =>
          builder.overrideProvider(Sqlite).useFactory(faultySqlite(/INSERT INTO recovery_runs/)),
      }),
    ).rejects.toThrow('crash recovery failed, nothing was changed: disk I/O error');
    const after = snapshot(temp.path);
    expect(after).toEqual(before);
    expect(after.rows.filter((r) => r.status === 'ACTIVE')).toHaveLength(5);
  });
});

describe('session transitions under attack', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  const INVALID: [SessionStatus, SessionStatus][] = [
    ['CREATED', 'CREATED'],
    ['CREATED', 'PAUSED'],
    ['ACTIVE', 'CREATED'],
    ['ACTIVE', 'TERMINATED'],
    ['PAUSED', 'CREATED'],
    ['TERMINATED', 'CREATED'],
    ['TERMINATED', 'ACTIVE'],
    ['TERMINATED', 'PAUSED'],
  ];

  it.each(INVALID)('rejects %s → %s and changes nothing', async (from, to) => {
    const t = await createApp({ dir: temp.path, listen: false });
    try {
      const sessions = t.app.get(SessionsService);
      const s = await sessionIn(sessions, from);
      await t.clock.advance(1000);
      await expect(sessions.transition(s.id, to)).rejects.toMatchObject({
        code: 'INVALID_TRANSITION',
        message: `A session cannot go from ${from} to ${to}.`,
      });
      await expect(sessions.transition(s.id, to, from)).rejects.toMatchObject({
        code: 'INVALID_TRANSITION',
      });
      await expect(sessions.get(s.id)).resolves.toEqual(s);
    } finally {
      await t.close();
    }
  });

  it('two transitions racing on one session: exactly one wins', async () => {
    const t = await createApp({ dir: temp.path, listen: false });
    try {
      const sessions = t.app.get(SessionsService);
      const s = await sessionIn(sessions, 'PAUSED');
      const [resume, end] = await Promise.allSettled([
        sessions.transition(s.id, 'ACTIVE', 'PAUSED'),
        sessions.transition(s.id, 'TERMINATED', 'PAUSED'),
      ]);
      expect(resume).toMatchObject({ status: 'fulfilled', value: { status: 'ACTIVE' } });
      expect(end).toMatchObject({ status: 'rejected', reason: { code: 'STALE_STATUS' } });
      await expect(sessions.get(s.id)).resolves.toMatchObject({ status: 'ACTIVE' });
    } finally {
      await t.close();
    }
  });

  it('transitions racing from another connection: each session has exactly one winner', async () => {
    const t = await createApp({ dir: temp.path, listen: false });
    try {
      const sessions = t.app.get(SessionsService);
      const created = await Promise.all(
        Array.from({ length: 300 }, () => sessions.create({ conversationId: 'c', project: '.' })),
      );
      const ids = created.map((s) => s.id);
      const { runInSqliteWorker } = await import('../utils/sqlite-worker');
      // The other connection tries the same compare-and-set, CREATED → TERMINATED, on every row.
      const rival = runInSqliteWorker<string[]>(
        join(temp.path, 'data', 'bridge.sqlite'),
        `(db, ids) => {
          const cas = db.prepare("UPDATE sessions SET status = 'TERMINATED' WHERE id = ? AND status = 'CREATED'");
          return ids.filter((id) => cas.run(id).changes === 1);
        }`,
        ids,
      );
      const mine: string[] = [];
      const lost: string[] = [];
      for (const id of ids) {
        try {
          await sessions.transition(id, 'ACTIVE', 'CREATED');
          mine.push(id);
        } catch (error) {
          if ((error as { code?: string }).code !== 'STALE_STATUS') throw error;
          lost.push(id);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      const theirs = await rival;
      expect([...mine, ...theirs].sort()).toEqual([...ids].sort());
      expect(theirs.filter((id) => mine.includes(id))).toEqual([]);
      expect([...lost].sort()).toEqual([...theirs].sort());
      const final = await sessions.list();
      for (const s of final) expect(s.status).toBe(mine.includes(s.id) ? 'ACTIVE' : 'TERMINATED');
    } finally {
      await t.close();
    }
  });
});
