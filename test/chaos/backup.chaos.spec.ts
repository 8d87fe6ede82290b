import { ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DatabaseBackup } from '../../src/modules/maintenance';
import { createApp, TestApp } from '../utils/create-app';
import { createFakeAgentApp } from '../utils/fake-agent-runner';
import { OWNER, SignalTestApp } from '../utils/signal-harness';
import { makeTempDir } from '../utils/temp-dir';
import { waitFor } from '../utils/wait-for';

jest.setTimeout(60_000); // two boots, 8 MB written by another process, on a loaded CI machine

const FAST = { RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' };

/**
 * Another OS process writing into the daemon's database file through its own connection: first
 * 8 MB in one transaction (so a backup takes many steps), then one row per commit, about one a
 * millisecond, printing each id once its commit has returned.
 */
const WRITER = `
  const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
  const db = new Database(process.env.DB_PATH, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS chaos_writes (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO chaos_writes (payload) VALUES (?)');
  const payload = () => require('node:crypto').randomBytes(2000);
  db.transaction(() => { for (let i = 0; i < 4000; i++) insert.run(payload()); })();
  process.stdout.write('seeded\\n');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const id = insert.run(payload()).lastInsertRowid;
    process.stdout.write(id + '\\n');
    Atomics.wait(pause, 0, 0, 1);
  }
`;

interface Writer {
  child: ChildProcess;
  /** The highest id the writer has reported committed. */
  committed(): number;
}

function startWriter(dbPath: string): Promise<Writer> {
  const child = spawn(process.execPath, ['-e', WRITER], {
    env: { PATH: process.env.PATH, DB_PATH: dbPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let committed = 0;
  let stderr = '';
  let rest = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'seeded') resolve({ child, committed: () => committed });
        else committed = Math.max(committed, Number(line));
      }
    });
    child.on('exit', (code) => reject(new Error(`writer exited (${code}): ${stderr}`)));
  });
}

async function stopWriter(writer: Writer): Promise<void> {
  if (writer.child.exitCode !== null || writer.child.signalCode !== null) return;
  const exited = new Promise((resolve) => writer.child.once('exit', resolve));
  writer.child.kill('SIGKILL');
  await exited;
}

describe('backups under load', () => {
  const live = makeTempDir();
  const restored = makeTempDir();
  let t: SignalTestApp | undefined;
  let restoredApp: TestApp | undefined;
  let writer: Writer | undefined;
  afterAll(async () => {
    if (writer) await stopWriter(writer);
    await t?.close();
    await restoredApp?.close();
    live.remove();
    restored.remove();
  });

  it('a backup taken during a busy turn restores to a database that passes integrity check and holds every committed row', async () => {
    const app = await createFakeAgentApp({ dir: live.path, env: FAST });
    t = app.t;
    const sql = (query: string) => app.t.app.get(DataSource).query(query);
    writer = await startWriter(join(live.path, 'data', 'bridge.sqlite'));

    // A turn streaming a message per tool call, the outbox sending them, the phone writing in.
    t.sim.phoneSends({ from: OWNER, text: '/verbosity verbose' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo go' });
    await waitFor(() => app.runner.turns.length === 1, 'the turn');
    const turn = app.runner.turns[0];
    let step = 0;
    const busy = async (): Promise<void> => {
      step++;
      turn.tool('Bash', { command: `step ${step}` });
      if (step % 10 === 0) t?.sim.phoneSends({ from: OWNER, text: '/status' });
      await t?.clock.advance(50);
    };
    while (step < 100 || (writer?.committed() ?? 0) < 4500) await busy();

    // What was committed before the backup started.
    const writerBefore = writer.committed();
    const outboxBefore = await sql(`SELECT id FROM outbox_messages`);
    const inboundBefore = await sql(`SELECT key FROM inbound_messages ORDER BY key`);
    const stepsBefore = step;

    let outcome: { file: string } | Error | undefined;
    void app.t.app
      .get(DatabaseBackup)
      .backup()
      .then(
        (backup) => (outcome = backup),
        (error: Error) => (outcome = error),
      );
    // Bounded: a copy that restarts on every write of the other process would never end.
    for (let i = 0; i < 2000 && !outcome; i++) await busy();
    const writerDuring = writer.committed() - writerBefore;
    await stopWriter(writer);
    turn.finish('All done.');
    await t.close();
    t = undefined;

    expect(outcome).toEqual({
      file: expect.stringMatching(/^bridge-.+\.sqlite$/),
      bytes: expect.any(Number),
      keep: 7,
    });
    const saved = outcome as { file: string };
    // The work really went on while the backup was being copied.
    expect(step - stepsBefore).toBeGreaterThan(0);
    expect(writerDuring).toBeGreaterThan(0);

    // Restore: the backup becomes the database of a fresh data dir, and the daemon boots on it.
    mkdirSync(join(restored.path, 'data'));
    copyFileSync(
      join(live.path, 'data', 'backups', saved.file),
      join(restored.path, 'data', 'bridge.sqlite'),
    );
    restoredApp = await createApp({ dir: restored.path, listen: false });
    const query = (q: string) => (restoredApp as TestApp).app.get(DataSource).query(q);
    await expect(query('PRAGMA integrity_check')).resolves.toEqual([{ integrity_check: 'ok' }]);
    await expect(query('PRAGMA foreign_key_check')).resolves.toEqual([]);
    // Every row the other process committed before the backup started, and no hole after them.
    const [writes] = await query(
      `SELECT count(*) AS n, max(id) AS top, sum(id <= ${writerBefore}) AS before
       FROM chaos_writes`,
    );
    expect(writes.before).toBe(writerBefore);
    expect(writes.n).toBe(writes.top);
    // Every message to and from the phone recorded before it. (Verbose progress is one row per
    // tool call, never replaced or folded under the bound, so none may be missing.)
    const outboxAfter = new Set(
      (await query(`SELECT id FROM outbox_messages`)).map((r: { id: number }) => r.id),
    );
    expect(outboxBefore.filter((r: { id: number }) => !outboxAfter.has(r.id))).toEqual([]);
    const inboundAfter = new Set(
      (await query(`SELECT key FROM inbound_messages`)).map((r: { key: string }) => r.key),
    );
    expect(inboundBefore.filter((r: { key: string }) => !inboundAfter.has(r.key))).toEqual([]);
    expect(outboxBefore.length).toBeGreaterThan(100);
    expect(inboundBefore.length).toBeGreaterThan(10);
  });
});
