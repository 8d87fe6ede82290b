import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BridgeSystem, OWNER } from '../../src/demo/system';
import { pidAlive } from '../utils/agent-harness';

/**
 * The whole system as separate processes, as in the field: the built daemon, the Signal
 * simulator, the scripted model server, and the real Claude Code CLI the daemon spawns. The
 * daemon is killed and restarted for real. Needs `npm run build` (`npm test` and
 * `npm run test:chaos` build first).
 */

const DEMO = join(__dirname, '..', '..', 'dist', 'src', 'demo', 'main.js');
const STRANGER = { number: '+15550109999', uuid: '5a5a5a5a-0000-4000-8000-000000000099' };

jest.setTimeout(120_000);

let dir: string;
let system: BridgeSystem | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'csb-system-'));
});

afterEach(async () => {
  await system?.stop();
  system = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function startSystem(env: Record<string, string> = {}): Promise<BridgeSystem> {
  system = await BridgeSystem.start({ dir, env });
  mkdirSync(join(system.projects, 'demo'));
  await system.startDaemon();
  return system;
}

/** The daemon's database, read beside it (WAL lets a reader in while the daemon writes). */
function query<T>(s: BridgeSystem, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(s.dataDir, 'bridge.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function integrity(s: BridgeSystem): string {
  const db = new Database(join(s.dataDir, 'bridge.sqlite'));
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

const count = (s: BridgeSystem, sql: string, ...params: unknown[]): number =>
  query<{ n: number }>(s, sql, ...params)[0].n;

async function texts(s: BridgeSystem): Promise<string[]> {
  return (await s.sent()).filter((m) => m.editTimestamp === null).map((m) => m.message);
}

async function answered(s: BridgeSystem, match: (text: string) => boolean, what: string) {
  await s.until(async () => (await texts(s)).some(match), what);
}

/** Processes (other than jest's) whose command line or working folder lies under `folder`. */
function processesUnder(folder: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cmdline.includes(folder) || cwd.startsWith(folder)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

describe('the demo', () => {
  it('plays the whole phone conversation against real processes, exits 0 and leaves nothing behind', async () => {
    const demo = spawn(process.execPath, [DEMO], { env: { PATH: process.env.PATH, TMPDIR: dir } });
    let out = '';
    demo.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise((resolve) => demo.on('exit', resolve));
    expect(code).toBe(0);
    const lines = out.split('\n');
    const said = lines.filter((l) => l.includes('📱 you')).map((l) => l.split('📱 you  ')[1]);
    expect(said).toEqual([
      '/help',
      '/new demo',
      'Make hello() greet a person by name',
      '/approve',
      'What is in this project?',
      '/status',
    ]);
    expect(out).toContain('🤖 bot  Approval 1 — Edit in demo');
    expect(out).toContain('+function hello(name) {');
    expect(out).toContain('✅ Approved.');
    expect(out).toContain('·· network drop');
    expect(out).toContain('While you were away, Claude did 2 things:');
    expect(out).toMatch(/🤖 bot {2}Signal: connected \(signal-cli\)/u);
    expect(out).toMatch(/·· demo finished in \d+\.\d s/);
    expect(readdirSync(dir)).toEqual([]); // its folder is gone
    expect(processesUnder(dir)).toEqual([]);
  });

  it('--interactive: each line typed is what the phone sends, and the answers are printed', async () => {
    const demo = spawn(process.execPath, [DEMO, '--interactive'], {
      env: { PATH: process.env.PATH, TMPDIR: dir },
    });
    let out = '';
    demo.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    demo.stdin.end('/new demo\nhello there\n');
    await expect(new Promise((resolve) => demo.on('exit', resolve))).resolves.toBe(0);
    expect(out).toContain('📱 you  hello there');
    expect(out).toContain('🤖 bot  Started a session in demo. Send a prompt.');
    expect(out).toContain(
      "🤖 bot  This is the demo's scripted model, not Claude: it only repeats what it got.",
    );
    expect(out).toMatch(/\n\s+You asked: hello there\n/);
    expect(readdirSync(dir)).toEqual([]);
    expect(processesUnder(dir)).toEqual([]);
  });

  it('on Ctrl-C in the middle, stops everything it started and exits 0', async () => {
    // detached: its own process group, which a terminal's Ctrl-C signals as a whole
    const demo = spawn(process.execPath, [DEMO], {
      env: { PATH: process.env.PATH, TMPDIR: dir },
      detached: true,
    });
    let out = '';
    demo.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise((resolve) => demo.on('exit', resolve));
    for (let i = 0; i < 600 && !out.includes('Make hello()'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(processesUnder(dir).length).toBeGreaterThanOrEqual(3); // daemon, simulator, model
    process.kill(-(demo.pid ?? 0), 'SIGINT');
    await expect(exited).resolves.toBe(0);
    expect(out).toContain('·· interrupted: stopping everything');
    expect(readdirSync(dir)).toEqual([]);
    expect(processesUnder(dir)).toEqual([]);
  });
});

describe('the daemon killed and restarted, with real processes', () => {
  it('SIGKILL during a turn with 100 messages waiting and an approval pending: everything is delivered or offered back after the restart', async () => {
    const s = await startSystem({ RATE_LIMIT_BACKOFF_CAP_SECONDS: '1' });
    await s.phone('/new demo');
    await answered(s, (t) => t.startsWith('Started a session'), 'the session');
    await s.script({
      tools: [{ name: 'Bash', input: { command: 'npm test', description: 'run the tests' } }],
    });
    await s.phone('say hi');
    await answered(s, (t) => t.startsWith('Approval 1'), 'the approval');
    const [{ agent_pid: agentPid }] = query<{ agent_pid: number }>(
      s,
      `SELECT agent_pid FROM sessions WHERE status = 'ACTIVE'`,
    );
    expect(pidAlive(agentPid)).toBe(true);

    // Signal now refuses every send: answers pile up in the outbox.
    await s.faults({ rateLimitNext: 1_000_000, retryAfterSeconds: 1 });
    await s.phone('a prompt that waits behind the turn');
    for (let i = 1; i <= 100; i++) await s.phone(`/nope${i}`);
    await s.until(
      () => count(s, `SELECT count(*) AS n FROM outbox_messages WHERE state = 'pending'`) >= 101,
      '101 messages waiting',
    );
    expect(count(s, `SELECT count(*) AS n FROM approvals WHERE state = 'pending'`)).toBe(1);

    expect(await s.stopDaemon('SIGKILL')).toBe('SIGKILL');
    expect(integrity(s)).toBe('ok');
    await s.control('POST', '/control/reset'); // Signal takes sends again; its records restart
    await s.startDaemon();

    await s.until(
      () => count(s, `SELECT count(*) AS n FROM outbox_messages WHERE state != 'sent'`) === 0,
      'every message delivered',
    );
    const sent = await texts(s);
    for (let i = 1; i <= 100; i++) {
      const copies = sent.filter((t) => t.startsWith(`I don't know /nope${i}.`)).length;
      expect([i, copies >= 1 && copies <= 2]).toEqual([i, true]);
    }
    const twice = Array.from(
      { length: 100 },
      (_, i) => sent.filter((t) => t.startsWith(`I don't know /nope${i + 1}.`)).length,
    ).filter((n) => n === 2);
    expect(twice.length).toBeLessThanOrEqual(1); // at most the one in flight
    expect(query(s, `SELECT status, recovered_at IS NOT NULL AS recovered FROM sessions`)).toEqual([
      { status: 'PAUSED', recovered: 1 },
    ]);
    expect(pidAlive(agentPid)).toBe(false);
    expect(query(s, `SELECT state FROM approvals`)).toEqual([{ state: 'expired' }]);
    expect(sent).toEqual(
      expect.arrayContaining([
        'I restarted before I could handle 1 message(s) you sent:\n• “a prompt that waits behind the turn”\nSend /retry to run them now.',
      ]),
    );
    const edits = (await s.sent()).filter((m) => m.editTimestamp !== null).map((m) => m.message);
    expect(
      edits.filter((t) => t.startsWith('Approval 1')).map((t) => t.split('\n').at(-1)),
    ).toEqual(['⌛ Expired: the daemon restarted; denied.']);
  });

  it('SIGTERM during a turn: the turn is interrupted, state is kept, exit 0 within 10 s', async () => {
    const s = await startSystem();
    await s.phone('/new demo');
    await answered(s, (t) => t.startsWith('Started a session'), 'the session');
    await s.script({ text: 'slow answer', delayMs: 60_000 });
    await s.phone('take your time');
    await s.until(
      () => count(s, `SELECT count(*) AS n FROM sessions WHERE agent_pid IS NOT NULL`) === 1,
      'the agent running',
    );
    const [{ agent_pid: agentPid }] = query<{ agent_pid: number }>(
      s,
      `SELECT agent_pid FROM sessions`,
    );
    const started = performance.now();
    const code = await s.stopDaemon('SIGTERM');
    const took = performance.now() - started;
    expect(code).toBe(0);
    expect(took).toBeLessThan(10_000);
    expect(pidAlive(agentPid)).toBe(false);
    expect(integrity(s)).toBe('ok');
    expect(
      query(s, `SELECT body FROM outbox_messages WHERE body LIKE 'Stopped:%'`).map(
        (r) => (r as { body: string }).body,
      ),
    ).toEqual(['Stopped: the daemon is shutting down. Send /resume after it is back.']);
    await s.startDaemon();
    await answered(s, (t) => t.startsWith('Stopped: the daemon is shutting down'), 'the notice');
    await s.phone('/resume');
    await answered(s, (t) => /resum/i.test(t) && !t.startsWith('Stopped'), 'the resume');
  });
});

describe('backups with real processes', () => {
  it('a backup taken during a busy turn restores to a database that passes integrity check and holds every committed row', async () => {
    const s = await startSystem({ RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' });
    writeFileSync(join(s.projects, 'demo', 'notes.txt'), 'a note\n');
    await s.phone('/new demo');
    await answered(s, (t) => t.startsWith('Started a session'), 'the session');
    await s.phone('/verbosity verbose'); // a message per tool call: the outbox keeps writing
    await answered(s, (t) => /verbose/i.test(t), 'verbose');
    // A turn that never ends by itself: every model reply is one more tool call.
    await s.always({
      tools: [{ name: 'Read', input: { file_path: join(s.projects, 'demo', 'notes.txt') } }],
    });
    await s.phone('read the notes, again and again');
    await answered(s, (t) => t.startsWith('🔧 Read'), 'the turn running');
    await s.until(
      async () => (await texts(s)).filter((t) => t.startsWith('🔧')).length >= 5,
      'a busy turn',
    );

    // Every row committed before the backup starts must be in it.
    const committed = {
      outbox: query<{ id: number }>(s, `SELECT id FROM outbox_messages ORDER BY id`).map(
        (r) => r.id,
      ),
      inbound: query<{ key: string }>(s, `SELECT key FROM inbound_messages ORDER BY key`).map(
        (r) => r.key,
      ),
    };
    await s.phone('/backup');
    await answered(s, (t) => t.startsWith('Backup saved: '), 'the backup');
    const toolMessages = (await texts(s)).filter((t) => t.startsWith('🔧')).length;
    await s.until(
      async () => (await texts(s)).filter((t) => t.startsWith('🔧')).length > toolMessages,
      'the turn going on after the backup',
    );
    const file = (await texts(s)).find((t) => t.startsWith('Backup saved: '))?.split(' ')[2] ?? '';
    await s.phone('/stop'); // the turn never ends by itself, so /stop always finds it running
    await answered(s, (t) => t === 'Stopped: the turn was interrupted.', 'the stop');
    expect(await s.stopDaemon('SIGTERM')).toBe(0);

    // Restore as the README says: the backup replaces the database file, then start.
    const live = join(s.dataDir, 'bridge.sqlite');
    for (const suffix of ['-wal', '-shm']) rmSync(`${live}${suffix}`, { force: true });
    copyFileSync(join(s.dataDir, 'backups', file), live);
    expect(integrity(s)).toBe('ok');
    const restored = {
      outbox: query<{ id: number }>(s, `SELECT id FROM outbox_messages ORDER BY id`).map(
        (r) => r.id,
      ),
      inbound: query<{ key: string }>(s, `SELECT key FROM inbound_messages ORDER BY key`).map(
        (r) => r.key,
      ),
    };
    expect(restored.outbox).toEqual(expect.arrayContaining(committed.outbox));
    expect(restored.inbound).toEqual(expect.arrayContaining(committed.inbound));
    // …and it was taken mid-turn, holding the /backup message itself, recorded before handling.
    expect(restored.inbound).toHaveLength(committed.inbound.length + 1);
    expect(query(s, `SELECT agent_pid IS NOT NULL AS running FROM sessions`)).toEqual([
      { running: 1 },
    ]);
    await s.startDaemon();
    await s.phone('/sessions');
    await answered(s, (t) => t.includes('demo'), 'the restored daemon answering');
  });
});

describe('strangers at scale', () => {
  it('10,000 messages from strangers while the owner works: no reply, no state, the owner still answered quickly', async () => {
    // Sending is not paced here: the round trips measure receiving, not the rate limiter.
    const s = await startSystem({ RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' });
    // Wall time from the phone's message to the answer, polled every 2 ms. (The simulator's
    // timestamps cannot measure it: a burst pushes them ahead of the clock to keep them unique.)
    const roundTrip = async (): Promise<number> => {
      const before = (await s.sent()).length;
      const started = performance.now();
      await s.phone('/status');
      while ((await s.sent()).length === before) await new Promise((r) => setTimeout(r, 2));
      return Math.round(performance.now() - started);
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (let i = 0; i < 10; i++) await roundTrip(); // warm-up
    const quiet: number[] = [];
    for (let i = 0; i < 15; i++) quiet.push(await roundTrip());
    const unloaded = median(quiet);
    const tables = () =>
      query<{ name: string }>(s, `SELECT name FROM sqlite_master WHERE type = 'table'`).map(
        ({ name }): [string, number] => [name, count(s, `SELECT count(*) AS n FROM "${name}"`)],
      );
    const before = tables();

    // While the owner keeps working, strangers send 10,000 messages in bursts of 500.
    let flooding = true;
    const flood = (async () => {
      for (let burst = 0; burst < 20; burst++) {
        await s.control('POST', '/control/flood', {
          from: STRANGER,
          text: 'let me in',
          count: 500,
        });
        await new Promise((r) => setTimeout(r, 100));
      }
      flooding = false;
    })();
    const trips: number[] = [];
    while (flooding) trips.push(await roundTrip());
    await flood;
    const loaded = median(trips);
    await s.until(
      async () =>
        ((await (await fetch(`${s.daemonUrl}/metrics`)).text()).match(
          /bridge_inbound_events_total\{outcome="unauthorized"[^}]*\} (\d+)/,
        )?.[1] ?? '') === '10000',
      'every stranger’s message counted',
    );

    const sent = await s.sent();
    const owner = [OWNER.number, OWNER.uuid];
    expect(sent.filter((m) => m.recipients.some((r) => !owner.includes(r)))).toEqual([]);
    expect(sent).toHaveLength(25 + trips.length); // warm-up, quiet, then among strangers
    const after = new Map(tables());
    // Only the owner's /status messages and their answers were added.
    for (const [name, n] of before)
      expect([name, after.get(name)]).toEqual([
        name,
        name === 'inbound_messages' || name === 'outbox_messages' ? n + trips.length : n,
      ]);
    // Named in the failure message: the medians with and without the strangers.
    expect({ loaded, unloaded, ok: loaded <= 2 * Math.max(unloaded, 1) }).toEqual({
      loaded,
      unloaded,
      ok: true,
    });
  });
});

describe('SIGKILL at random moments', () => {
  it('20 kills during a scripted conversation: the database is whole after each, and in the end every message was handled or offered back and every answer delivered', async () => {
    const seed = Number(process.env.CHAOS_SEED ?? Math.floor(performance.timeOrigin) % 100_000);
    let state = seed;
    const random = (): number => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
    // Prompts are numbered so each message can be found again; commands repeat.
    const conversation = ['/new demo', 'prompt', '/status', '/resume', 'prompt', '/sessions'];
    const s = await startSystem({ RATE_LIMIT_BACKOFF_CAP_SECONDS: '1' });
    await s.always({ text: 'Done.' });
    let step = 0;
    const phoned: string[] = [];
    for (let kill = 1; kill <= 20; kill++) {
      for (let i = 0; i < 3; i++) {
        const text = conversation[step % conversation.length];
        phoned.push(text === 'prompt' ? `prompt ${step}` : text);
        await s.phone(phoned[step++]);
      }
      // The kill comes once the daemon holds the messages: one still inside the socket when
      // the process dies is lost in signal-cli itself, which has already acknowledged it to
      // Signal (see the README's "Staying connected"); that is not what this test is about.
      await s.until(
        () => count(s, `SELECT count(*) AS n FROM inbound_messages`) === phoned.length,
        'the messages recorded',
      );
      await new Promise((r) => setTimeout(r, Math.floor(random() * 1500)));
      await s.stopDaemon('SIGKILL');
      expect([`seed ${seed}, kill ${kill}`, integrity(s)]).toEqual([
        `seed ${seed}, kill ${kill}`,
        'ok',
      ]);
      await s.startDaemon();
    }
    await s.until(
      () =>
        count(s, `SELECT count(*) AS n FROM outbox_messages WHERE state != 'sent'`) === 0 &&
        count(s, `SELECT count(*) AS n FROM inbound_messages WHERE state = 'received'`) === 0,
      'quiet',
      60_000,
    );
    const recorded = query<{ message: string }>(s, `SELECT message FROM inbound_messages`).map(
      (r) => (JSON.parse(r.message) as { text: string }).text,
    );
    expect(recorded.sort()).toEqual([...phoned].sort());
    // Each message left unhandled by a kill was named in an offer to /retry it.
    const offers = (await texts(s)).filter((t) =>
      t.startsWith('I restarted before I could handle'),
    );
    const left = query<{ message: string }>(
      s,
      `SELECT message FROM inbound_messages WHERE state = 'awaiting-retry'`,
    ).map((r) => (JSON.parse(r.message) as { text: string }).text);
    for (const text of left)
      expect([text, offers.some((o) => o.includes(`• “${text}”`))]).toEqual([text, true]);
  }, 240_000);
});
