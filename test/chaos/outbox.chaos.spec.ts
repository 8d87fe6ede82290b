import { FakeClock } from '../../src/common/clock';
import { Sqlite } from '../../src/common/database';
import { AppEvents, EventBus } from '../../src/common/events';
import { RateLimiter } from '../../src/modules/rate-limit';
import { OutboxService, stripNumbering } from '../../src/modules/outbox';
import { OutboxDispatcher } from '../../src/modules/outbox/outbox-dispatcher.service';
import { OutboxRepository, PRIORITY } from '../../src/modules/outbox/outbox.repository';
import { ConnectionSupervisor } from '../../src/modules/resilience';
import { createApp } from '../utils/create-app';
import { httpGet } from '../utils/http';
import { runClockUntil } from '../utils/outbox-driver';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { makeTempDir } from '../utils/temp-dir';
import { waitFor } from '../utils/wait-for';

const DM = { kind: 'dm', peer: OWNER.uuid } as const;
const FAST = { RATE_LIMIT_PER_MINUTE: '6000', RATE_LIMIT_BURST: '1000' };

describe('outbox under faults', () => {
  let t: SignalTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('500 messages queued while Signal is down survive a restart and arrive once, in order', async () => {
    const temp = makeTempDir();
    try {
      const clock = new FakeClock();
      // First life: Signal unreachable (nothing listens at the test default URL).
      const first = await createApp({ dir: temp.path, clock, listen: false, env: FAST });
      const outbox = first.app.get(OutboxService);
      for (let i = 0; i < 500; i++) outbox.enqueue({ to: DM, body: `reply ${i}`, kind: 'reply' });
      await first.clock.advance(5000); // a few failed attempts
      expect(outbox.depth()).toBe(500);
      await first.close();

      // Second life on the same database, Signal back.
      t = await createSignalApp('signal-cli', { dir: temp.path, clock, env: FAST });
      await runClockUntil(t, () => t?.sim.sent.length === 500);
      expect(t.sim.sent.map((s) => s.message)).toEqual(
        Array.from({ length: 500 }, (_, i) => `reply ${i}`),
      );
      expect(t.app.get(OutboxService).depth()).toBe(0);
    } finally {
      temp.remove();
    }
  });

  it('5,000 progress updates and 10 results while disconnected, bound 1,000: results all arrive, progress folded with the right count, order kept', async () => {
    t = await createSignalApp('signal-cli', { env: { ...FAST, OUTBOX_MAX_PENDING: '1000' } });
    t.sim.refuseConnections(60 * 60_000);
    await waitFor(() => !t?.app.get(ConnectionSupervisor).isConnected, 'the drop');
    const outbox = t.app.get(OutboxService);
    for (let i = 1; i <= 5000; i++) {
      outbox.enqueue({ to: DM, body: `progress ${i}`, kind: 'progress' });
      if (i % 500 === 0) outbox.enqueue({ to: DM, body: `result ${i / 500}`, kind: 'result' });
    }
    expect(outbox.depth()).toBeLessThanOrEqual(1001);
    await runClockUntil(
      t,
      () => (t?.app.get(ConnectionSupervisor).isConnected ?? false) && outbox.depth() === 0,
    );
    const sent = t.sim.sent.map((s) => s.message);
    const results = sent.filter((m) => m.startsWith('result'));
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => `result ${i + 1}`));
    const stands = (m: string) => {
      const folded = /^(\d+) progress updates? skipped while offline$/.exec(m);
      return folded ? Number(folded[1]) : 1;
    };
    const progressCount = sent
      .filter((m) => !m.startsWith('result'))
      .reduce((sum, m) => sum + stands(m), 0);
    expect(progressCount).toBe(5000);
    expect(sent.length).toBeLessThan(1100);
    // The kept progress after the last fold comes in order, after the results it followed.
    const tail = sent.slice(sent.indexOf('result 10') + 1);
    expect(tail.every((m) => m.startsWith('progress'))).toBe(true);
  });

  it('proof required mid-drain: sending stops, nothing is lost, /captcha from the phone resumes it', async () => {
    t = await createSignalApp('signal-cli');
    const outbox = t.app.get(OutboxService);
    for (let i = 0; i < 3; i++) outbox.enqueue({ to: DM, body: `before ${i}`, kind: 'reply' });
    await runClockUntil(t, () => t?.sim.sent.length === 3);
    t.sim.rateLimitNextSends(1000, { proofRequired: true });
    for (let i = 0; i < 10; i++) outbox.enqueue({ to: DM, body: `after ${i}`, kind: 'result' });
    const limiter = t.app.get(RateLimiter);
    await runClockUntil(t, () => limiter.snapshot().state === 'captcha-required');
    await t.clock.advance(10 * 60_000);
    expect(t.sim.sent).toHaveLength(3);
    await expect(httpGet(t.app, '/health/ready')).resolves.toMatchObject({
      status: 503,
      body: {
        error: {
          rateLimit: {
            status: 'down',
            message: 'captcha required: send /captcha signalcaptcha://… from the phone',
          },
        },
      },
    });
    t.sim.phoneSends({ from: OWNER, text: '/captcha signalcaptcha://solved-token' });
    await runClockUntil(t, () => t?.sim.sent.length === 14);
    expect(t.sim.sent.map((s) => s.message)).toEqual([
      'before 0',
      'before 1',
      'before 2',
      ...Array.from({ length: 10 }, (_, i) => `after ${i}`),
      'Captcha accepted: sending resumes.',
    ]);
    await expect(httpGet(t.app, '/health/ready')).resolves.toMatchObject({ status: 200 });
  });

  it('a 10 KB reply with emoji and code fences arrives in parts of at most 2000 bytes that join back exactly', async () => {
    t = await createSignalApp('rest');
    let text = '';
    while (Buffer.byteLength(text) < 10_240) {
      text += 'Ran the suite 🧪 — 12 passed ✅, 0 failed.\n```js\nconsole.log("🤖 hi");\n```\n';
    }
    t.app.get(OutboxService).enqueue({ to: DM, body: text, kind: 'result' });
    await runClockUntil(t, () => t?.app.get(OutboxService).depth() === 0);
    const parts = t.sim.sent.map((s) => s.message);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.every((p) => Buffer.byteLength(p) <= 2000)).toBe(true);
    expect(parts.map(stripNumbering).join('')).toBe(text);
  });

  it('a reconnect makes every row waiting out a retry due at once, and no other row', async () => {
    const clock = new FakeClock('2026-06-01T10:00:00.000Z');
    const app = await createApp({ listen: false, clock });
    try {
      const repository = app.app.get(OutboxRepository);
      const row = (body: string) => ({
        conversationKey: 'dm:+15550100001',
        priority: PRIORITY.normal,
        target: JSON.stringify(DM),
        body,
        kind: 'reply' as const,
        turnKey: null,
        at: '2026-06-01T09:00:00.000Z',
      });
      const [first, second, fresh] = repository.insert([row('a'), row('b'), row('c')]);
      repository.retryLater(first, 1, '2026-06-01T10:00:08.000Z', 'unreachable');
      repository.retryLater(second, 5, '2026-06-01T10:01:00.000Z', 'unreachable');

      repository.dueNow(clock.nowIso());

      const due = app.app
        .get(Sqlite)
        .prepare<[], { id: number; next_attempt_at: string }>(
          `SELECT id, next_attempt_at FROM outbox_messages ORDER BY id`,
        )
        .all();
      expect(due).toEqual([
        { id: first, next_attempt_at: '2026-06-01T10:00:00.000Z' },
        { id: second, next_attempt_at: '2026-06-01T10:00:00.000Z' },
        { id: fresh, next_attempt_at: '2026-06-01T09:00:00.000Z' },
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('outbox details', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('announces each whole message once it is sent, with the timestamp Signal gave its last part', async () => {
    t = await createSignalApp('signal-cli');
    const sent: AppEvents['outbox.sent'][] = [];
    t.app.get(EventBus).on('outbox.sent', (event) => sent.push(event));
    const outbox = t.app.get(OutboxService);
    const short = outbox.enqueue({ to: DM, body: 'approve this?', kind: 'approval' });
    const long = outbox.enqueue({ to: DM, body: 'x '.repeat(1500), kind: 'result' });
    await runClockUntil(t, () => sent.length === 2);
    expect(t.sim.sent).toHaveLength(3); // the long one went in two parts
    expect(sent).toEqual([
      {
        id: short,
        conversationKey: `dm:${OWNER.uuid}`,
        kind: 'approval',
        signalTimestamp: t.sim.sent[0].timestamp,
      },
      {
        id: long,
        conversationKey: `dm:${OWNER.uuid}`,
        kind: 'result',
        signalTimestamp: t.sim.sent[2].timestamp,
      },
    ]);
  });

  it('a newer progress update replaces an unsent one, and edits a sent one in place', async () => {
    t = await createSignalApp('signal-cli');
    t.sim.refuseConnections(5000);
    await waitFor(() => !t.app.get(ConnectionSupervisor).isConnected, 'the drop');
    const outbox = t.app.get(OutboxService);
    outbox.enqueue({ to: DM, body: 'reading files', kind: 'progress', turnKey: 'turn-1' });
    outbox.enqueue({ to: DM, body: 'editing src/app.ts', kind: 'progress', turnKey: 'turn-1' });
    expect(outbox.depth()).toBe(1);
    await runClockUntil(t, () => t.sim.sent.length === 1);
    outbox.enqueue({ to: DM, body: 'running npm test', kind: 'progress', turnKey: 'turn-1' });
    await runClockUntil(t, () => t.sim.sent.length === 2);
    expect(t.sim.sent.map((s) => [s.message, s.editTimestamp])).toEqual([
      ['editing src/app.ts', null],
      ['running npm test', t.sim.sent[0].timestamp],
    ]);
  });

  it('a progress update written while the first is on its way to Signal edits it, and does not become a second message', async () => {
    t = await createSignalApp('signal-cli');
    const outbox = t.app.get(OutboxService);
    t.sim.delayResponses(1000); // Signal takes a second to answer
    outbox.enqueue({ to: DM, body: 'reading files', kind: 'progress', turnKey: 'turn-1' });
    await waitFor(() => t.app.get(OutboxDispatcher).sending, 'the first update on its way');
    outbox.enqueue({ to: DM, body: 'running npm test', kind: 'progress', turnKey: 'turn-1' });
    t.sim.delayResponses(0);
    await runClockUntil(t, () => t.sim.sent.length === 2);
    expect(t.sim.sent.map((s) => [s.message, s.editTimestamp])).toEqual([
      ['reading files', null],
      ['running npm test', t.sim.sent[0].timestamp],
    ]);
  });

  it('over the bound, only progress is folded: results, errors and approvals all stay', async () => {
    t = await createSignalApp('signal-cli', { env: { OUTBOX_MAX_PENDING: '10' } });
    t.sim.refuseConnections(60_000);
    await waitFor(() => !t.app.get(ConnectionSupervisor).isConnected, 'the drop');
    const outbox = t.app.get(OutboxService);
    const kinds = ['result', 'error', 'approval'] as const;
    for (let i = 0; i < 15; i++) outbox.enqueue({ to: DM, body: `keep ${i}`, kind: kinds[i % 3] });
    for (let i = 0; i < 5; i++) outbox.enqueue({ to: DM, body: `progress ${i}`, kind: 'progress' });
    expect(outbox.depth()).toBe(16);
    await runClockUntil(t, () => t.sim.sent.length === 16);
    // Errors and approvals (urgent) first, each lane in its order; nothing but progress folded.
    const keep = (lane: number[]) => lane.map((i) => `keep ${i}`);
    expect(t.sim.sent.map((s) => s.message)).toEqual([
      ...keep([1, 2, 4, 5, 7, 8, 10, 11, 13, 14]),
      ...keep([0, 3, 6, 9, 12]),
      '5 progress updates skipped while offline',
    ]);
  });

  it('a message to an unregistered recipient fails once, is counted, and the rest go on', async () => {
    t = await createSignalApp('signal-cli');
    t.sim.unregistered.add('+15550100777');
    const outbox = t.app.get(OutboxService);
    outbox.enqueue({ to: { kind: 'dm', peer: '+15550100777' }, body: 'to nobody', kind: 'reply' });
    outbox.enqueue({ to: DM, body: 'to the owner', kind: 'reply' });
    await runClockUntil(t, () => t.sim.sent.length === 1);
    await t.clock.advance(10 * 60_000);
    expect(t.sim.requests.filter((r) => r.path === 'rpc:send')).toHaveLength(2);
    expect(t.sim.sent.map((s) => s.message)).toEqual(['to the owner']);
    const metrics = (await httpGet(t.app, '/metrics')).text;
    expect(metrics).toContain(
      'bridge_outbox_sends_total{result="failed",service="claude-signal-bridge"} 1',
    );
    expect(metrics).toContain('bridge_outbox_depth{service="claude-signal-bridge"} 0');
  });
});
