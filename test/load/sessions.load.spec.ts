import { join } from 'node:path';
import { ActivityLogService, Session, SessionsService } from '../../src/modules/sessions';
import { createApp, TestApp } from '../utils/create-app';
import { sessionIn } from '../utils/sessions';
import { runInSqliteWorker } from '../utils/sqlite-worker';

/** The Python design proved these at 100 sessions; these prove them at 1,000. */
describe('sessions under load', () => {
  let t: TestApp;
  let sessions: SessionsService;

  beforeEach(async () => {
    t = await createApp({ listen: false });
    sessions = t.app.get(SessionsService);
  });
  afterEach(() => t.close());

  it('1,000 sessions created concurrently: distinct ids, all readable, all listed', async () => {
    const created = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        sessions.create({ conversationId: `conv-${i % 7}`, project: '.', context: { i } }),
      ),
    );
    const ids = new Set(created.map((s) => s.id));
    expect(ids.size).toBe(1000);
    const read = await Promise.all(created.map((s) => sessions.get(s.id)));
    expect(read).toEqual(created);
    const listed = await sessions.list();
    expect(listed).toHaveLength(1000);
    expect(new Set(listed.map((s) => s.id))).toEqual(ids);
  });

  it('isolation: 1,000 sessions updated concurrently each end with exactly their own context and status', async () => {
    const created = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        sessions.create({ conversationId: `conv-${i}`, project: '.', context: { owner: i } }),
      ),
    );
    const target = (i: number) => (i % 3 === 0 ? 'TERMINATED' : i % 3 === 1 ? 'ACTIVE' : 'PAUSED');
    await Promise.all(
      created.map(async (s, i) => {
        await sessions.updateContext(s.id, { step: 1, mine: `session-${i}` });
        if (target(i) === 'TERMINATED') await sessions.transition(s.id, 'TERMINATED', 'CREATED');
        else await sessions.transition(s.id, 'ACTIVE', 'CREATED');
        if (target(i) === 'PAUSED') await sessions.transition(s.id, 'PAUSED', 'ACTIVE');
        await sessions.updateContext(s.id, { step: 2 });
      }),
    );
    const after = await Promise.all(created.map((s) => sessions.get(s.id)));
    after.forEach((s, i) => {
      expect(s.context).toEqual({ owner: i, step: 2, mine: `session-${i}` });
      expect(s.status).toBe(target(i));
      expect(s.conversationId).toBe(`conv-${i}`);
    });
  });

  it('contention: 50 concurrent activity writes to one session keep exactly the newest 10', async () => {
    const activity = t.app.get(ActivityLogService);
    const s = await sessionIn(sessions, 'ACTIVE');
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => activity.trackActivity(s.id, 'note', { text: `n${i}` })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const kept = await activity.entries(s.id);
    expect(kept.map((e) => e.details)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ text: `n${i + 40}` })),
    );
    await expect(sessions.get(s.id)).resolves.toMatchObject({ activityDropped: 40 });
  });

  it('concurrent reads and writes from two connections: no error, no torn read', async () => {
    const created = await Promise.all(
      Array.from({ length: 100 }, () =>
        sessions.create({ conversationId: 'c', project: '.', context: { a: 0, b: 0 } }),
      ),
    );
    const ids = created.map((s) => s.id);
    // Another connection rewrites every row 200 times; each write sets a and b together.
    const writer = runInSqliteWorker<number>(
      join(t.dir, 'data', 'bridge.sqlite'),
      `(db, ids) => {
        const update = db.prepare("UPDATE sessions SET context = json_object('a', ?, 'b', ?) WHERE id = ?");
        let writes = 0;
        for (let round = 1; round <= 200; round++) {
          db.transaction(() => { for (const id of ids) { update.run(round, round, id); writes++; } })();
          // Leave the lock free for a moment between rounds, as a real second writer would.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        }
        return writes;
      }`,
      ids,
    );
    let writerDone = false;
    void writer.finally(() => (writerDone = true));
    let reads = 0;
    let ownWrites = 0;
    let midway = 0;
    const torn: Session[] = [];
    while (!writerDone || reads < 2000) {
      for (const s of await sessions.list()) {
        const { a, b } = s.context as { a: number; b: number };
        if (a !== b) torn.push(s);
        if (a > 0 && a < 200) midway++;
        reads++;
      }
      await sessions.updateContext(ids[reads % ids.length], { touchedByApp: reads });
      ownWrites++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await expect(writer).resolves.toBe(20_000);
    expect(torn).toEqual([]);
    expect(ownWrites).toBeGreaterThan(0);
    // The reads really overlapped the other connection's writes.
    expect(midway).toBeGreaterThan(0);
    const final = await sessions.list();
    expect(final.every((s) => s.context.a === 200 && s.context.b === 200)).toBe(true);
  });

  it('listing while creating: each listing holds every session finished before it, once, intact', async () => {
    const finished = new Set<string>();
    const problems: string[] = [];
    const turns = async (n: number) => {
      for (let k = 0; k < n; k++) await new Promise((resolve) => setImmediate(resolve));
    };
    const creators = Array.from({ length: 1000 }, async (_, i) => {
      await turns(i % 50);
      const s = await sessions.create({ conversationId: `c${i}`, project: '.', context: { i } });
      finished.add(s.id);
    });
    const listers = Array.from({ length: 50 }, async (_, n) => {
      await turns(n);
      const before = new Set(finished);
      const listing = await sessions.list();
      const seen = new Set(listing.map((s) => s.id));
      if (seen.size !== listing.length) problems.push(`listing ${n} has duplicates`);
      for (const id of before) if (!seen.has(id)) problems.push(`listing ${n} misses ${id}`);
      for (const s of listing) {
        if (s.context.i === undefined || s.conversationId !== `c${String(s.context.i)}`) {
          problems.push(`listing ${n} has a corrupted row ${s.id}`);
        }
      }
      return before.size;
    });
    await Promise.all(creators);
    const sizes = await Promise.all(listers);
    expect(problems).toEqual([]);
    // The listings really overlapped the creation: some saw part of it, none saw nothing at all.
    expect(sizes.some((n) => n > 0 && n < 1000)).toBe(true);
    await expect(sessions.list()).resolves.toHaveLength(1000);
  });
});
