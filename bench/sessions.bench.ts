import { join } from 'node:path';
import { realpathSync } from 'node:fs';
import { SystemClock } from '../src/common/clock';
import { Sqlite } from '../src/common/database';
import { IdGenerator } from '../src/common/ids';
import { RecoveryService } from '../src/modules/recovery/recovery.service';
import { PAUSE_ALL_ACTIVE_SQL } from '../src/modules/sessions/session.repository';
import { ActivityLogService, SessionsService } from '../src/modules/sessions';
import { benchApp, migratedDatabase } from './app-context';
import {
  BenchResult,
  BenchSuite,
  benchDir,
  elapsedMs,
  medians,
  openRawDatabase,
  opsPerSecond,
} from './harness';

const CREATES = 20_000;
const TRANSITIONS = 20_000;
const ACTIVITY_WRITES = 20_000;
const RECOVER = 10_000;
const ROUNDS = 3;

/** What recovery tells each owner (the raw side writes the same rows). */
const NOTICE =
  'I restarted while your session in p was active, so it is paused now. Send /resume to continue it.';

const INSERT = `INSERT INTO sessions (id, conversation_id, project_path, status, agent_session_id,
  context, recovered_at, created_at, updated_at, last_activity_at, activity_dropped, agent_pid)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * The session store through the app's services, each beside raw better-sqlite3 running the
 * same statements on the same schema in the same run (ratio = app / raw).
 */
export const sessionsBench: BenchSuite = {
  name: 'sessions',
  async run(): Promise<BenchResult[]> {
    // App and raw alternate, round by round, so drift in the machine hits both alike.
    const appRounds: Record<string, number>[] = [];
    const rawRounds: Record<string, number>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      appRounds.push(await appFigures());
      rawRounds.push(await rawFigures());
    }
    const app = medians(appRounds);
    const raw = medians(rawRounds);
    const results: BenchResult[] = [];
    const pair = (name: string, unit: string) => {
      const value = app[name];
      const limit = raw[name];
      results.push({ name, value, unit, ratio: value / limit, limit });
    };
    pair('sessions.create', 'ops/s');
    pair('sessions.transition', 'ops/s');
    pair('sessions.activity.write', 'ops/s');
    pair(`recovery.${RECOVER}`, 'ms');
    return results;
  },
};

async function appFigures(): Promise<Record<string, number>> {
  const dir = benchDir();
  const app = await benchApp(dir);
  const sessions = app.get(SessionsService);
  const activity = app.get(ActivityLogService);
  const figures: Record<string, number> = {};

  figures['sessions.create'] = await opsPerSecond(CREATES, () =>
    sessions.create({ conversationId: '+15550100001', project: '.', context: { model: 'sonnet' } }),
  );

  const target = await sessions.create({ conversationId: 'c', project: '.' });
  await sessions.transition(target.id, 'ACTIVE', 'CREATED');
  let status: 'ACTIVE' | 'PAUSED' = 'ACTIVE';
  figures['sessions.transition'] = await opsPerSecond(TRANSITIONS, async () => {
    const next = status === 'ACTIVE' ? 'PAUSED' : 'ACTIVE';
    await sessions.transition(target.id, next, status);
    status = next;
  });

  figures['sessions.activity.write'] = await opsPerSecond(ACTIVITY_WRITES, (i) =>
    activity.trackActivity(target.id, 'command', { command: 'npm test', outcome: `run ${i}` }),
  );
  await app.close();

  const recoveryDir = benchDir();
  const dbPath = await migratedDatabase(recoveryDir);
  seedActive(dbPath, RECOVER);
  const recoveryApp = await benchApp(recoveryDir); // its own boot recovers the seeded sessions
  seedActive(dbPath, RECOVER);
  const recovery = recoveryApp.get(RecoveryService);
  // Both sides start from an empty WAL, so neither pays for the other's seed in a checkpoint.
  recoveryApp.get(Sqlite).prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
  let recovered = 0;
  figures[`recovery.${RECOVER}`] = await elapsedMs(() => {
    recovered = recovery.recover().sessions.length;
  });
  if (recovered !== RECOVER) throw new Error(`recovered ${recovered}, expected ${RECOVER}`);
  const notices = recoveryApp
    .get(Sqlite)
    .prepare<[], { n: number }>(`SELECT count(*) AS n FROM outbox_messages WHERE kind = 'notice'`)
    .get()?.n;
  if (notices !== 2 * RECOVER) throw new Error(`${notices} notices, expected ${2 * RECOVER}`);
  await recoveryApp.close();
  return figures;
}

async function rawFigures(): Promise<Record<string, number>> {
  const dir = benchDir();
  const db = openRawDatabase(await migratedDatabase(dir));
  const project = realpathSync(join(dir, 'projects'));
  const figures: Record<string, number> = {};
  const now = () => new Date().toISOString();

  const insert = db.prepare(INSERT);
  const ids = new IdGenerator(new SystemClock());
  figures['sessions.create'] = await opsPerSecond(CREATES, () => {
    const at = now();
    insert.run(
      ids.next(),
      '+15550100001',
      project,
      'CREATED',
      null,
      '{"model":"sonnet"}',
      null,
      at,
      at,
      null,
      0,
      null,
    );
  });

  const id = ids.next();
  insert.run(id, 'c', project, 'ACTIVE', null, '{}', null, now(), now(), null, 0, null);
  const cas = db.prepare(
    `UPDATE sessions SET status = ?, updated_at = ? WHERE id = ? AND status = ?`,
  );
  const read = db.prepare(`SELECT * FROM sessions WHERE id = ?`);
  let status = 'ACTIVE';
  figures['sessions.transition'] = await opsPerSecond(TRANSITIONS, () => {
    const next = status === 'ACTIVE' ? 'PAUSED' : 'ACTIVE';
    if (cas.run(next, now(), id, status).changes !== 1) throw new Error('lost CAS');
    read.get(id);
    status = next;
  });

  const touch = db.prepare(`UPDATE sessions SET last_activity_at = ? WHERE id = ?`);
  const add =
    db.prepare(`INSERT INTO session_activity (session_id, kind, details, created_at, summarized)
    VALUES (?, ?, ?, ?, 0)`);
  const trim = db.prepare(`DELETE FROM session_activity WHERE session_id = ? AND id NOT IN (
    SELECT id FROM session_activity WHERE session_id = ? ORDER BY id DESC LIMIT ?) RETURNING summarized`);
  const dropped = db.prepare(
    `UPDATE sessions SET activity_dropped = activity_dropped + ? WHERE id = ?`,
  );
  const write = db.transaction((i: number) => {
    const at = now();
    touch.run(at, id);
    add.run(id, 'command', JSON.stringify({ command: 'npm test', outcome: `run ${i}` }), at);
    const trimmed = trim.all(id, id, 10) as { summarized: number }[];
    const unseen = trimmed.filter((r) => !r.summarized).length;
    if (unseen > 0) dropped.run(unseen, id);
  });
  figures['sessions.activity.write'] = await opsPerSecond(ACTIVITY_WRITES, (i) =>
    write.immediate(i),
  );
  db.close();

  const recoveryDir = benchDir();
  const recoveryDb = await migratedDatabase(recoveryDir);
  const rdb = openRawDatabase(recoveryDb);
  const pause = rdb.prepare(PAUSE_ALL_ACTIVE_SQL);
  const record = rdb.prepare(`INSERT INTO recovery_runs (ran_at, session_ids) VALUES (?, ?)`);
  const notice = rdb.prepare(`INSERT INTO outbox_messages (conversation_key, target, body, kind,
    state, turn_key, edit_of, next_attempt_at, created_at, priority, quiet, styles, attachment)
    VALUES (?, ?, ?, 'notice', 'pending', NULL, NULL, ?, ?, 2, 0, NULL, NULL)`);
  let recovered = 0;
  const recover = rdb.transaction(() => {
    const at = now();
    const rows = pause.all(at, at) as { id: string; conversation_id: string }[];
    record.run(at, JSON.stringify(rows.map((r) => r.id)));
    for (const row of rows) {
      const peer = row.conversation_id.slice(3);
      notice.run(row.conversation_id, JSON.stringify({ kind: 'dm', peer }), NOTICE, at, at);
    }
    recovered = rows.length;
  });
  // The same history as the app's: a first batch recovered at "boot", then the timed batch.
  seedActive(recoveryDb, RECOVER);
  recover.immediate();
  seedActive(recoveryDb, RECOVER);
  rdb.pragma('wal_checkpoint(TRUNCATE)');
  figures[`recovery.${RECOVER}`] = await elapsedMs(() => recover.immediate());
  if (recovered !== RECOVER) throw new Error(`raw recovered ${recovered}`);
  rdb.close();
  return figures;
}

function seedActive(dbPath: string, count: number): void {
  const db = openRawDatabase(dbPath);
  const ids = new IdGenerator(new SystemClock());
  const insert = db.prepare(INSERT);
  const at = new Date().toISOString();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      insert.run(
        ids.next(),
        `dm:+1555${String(i).padStart(7, '0')}`, // each its own owner, who is told
        '/p',
        'ACTIVE',
        `agent-${i}`,
        `{"i":${i}}`,
        null,
        at,
        at,
        null,
        0,
        null,
      );
    }
  })();
  db.close();
}
