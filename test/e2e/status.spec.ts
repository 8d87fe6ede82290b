import { AddressInfo } from 'node:net';
import { OutboxService } from '../../src/modules/outbox';
import { ApprovalRepository } from '../../src/modules/approvals/approval.repository';
import { RateLimiter } from '../../src/modules/rate-limit/rate-limiter.service';
import { ConnectionSupervisor } from '../../src/modules/resilience';
import { SessionsService } from '../../src/modules/sessions';
import { runStatus, StatusIo } from '../../src/tools/status';
import { createApp, TestApp } from '../utils/create-app';
import { runClockUntil } from '../utils/outbox-driver';
import { createSignalApp, OWNER } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

const DM = { kind: 'dm', peer: OWNER.uuid } as const;

/** `npm run status` on `t`'s fake clock (if any): what it printed, and its exit code. */
async function status(t: TestApp | undefined, argv: string[], env: Record<string, string> = {}) {
  const printed = { out: '', err: '' };
  const io: StatusIo = {
    env,
    now: () => t?.clock.now() ?? new Date('2026-01-01T00:00:00Z'),
    out: (text) => (printed.out += text),
    err: (text) => (printed.err += text),
  };
  const code = await runStatus(argv, io);
  return { code, ...printed };
}

const portOf = (t: TestApp) => (t.app.getHttpServer().address() as AddressInfo).port;
const link = (t: TestApp) => t.app.get(ConnectionSupervisor);

/** Moves the clock `ms` on, letting each failed reconnect attempt finish before the next. */
async function advanceWhileDown(t: TestApp, ms: number): Promise<void> {
  const target = t.clock.nowMs() + ms;
  for (let next = t.clock.msUntilNextTimer(); ; next = t.clock.msUntilNextTimer()) {
    if (next === undefined || t.clock.nowMs() + next > target) break;
    await t.clock.advance(next);
    await waitFor(() => link(t).state === 'DISCONNECTED', 'the attempt to fail');
  }
  await t.clock.advance(target - t.clock.nowMs());
}

describe('npm run status', () => {
  let t: TestApp;
  afterEach(() => t.close());

  it('while Signal is unreachable: the link down since boot, the work waiting, the backoff', async () => {
    t = await createApp(); // nothing listens at SIGNAL_URL
    await waitFor(() => link(t).state === 'DISCONNECTED', 'the first attempt to fail');
    const sessions = t.app.get(SessionsService);
    const session = await sessions.create({ conversationId: `dm:${OWNER.uuid}`, project: '.' });
    await sessions.transition(session.id, 'ACTIVE');
    t.app.get(ApprovalRepository).insert({
      sessionId: session.id,
      conversationKey: `dm:${OWNER.uuid}`,
      turnKey: 'turn-1',
      toolName: 'Bash',
      input: '{"command":"rm -rf build"}',
      highRisk: true,
      risk: 'deletes a folder recursively',
      alwaysRule: 'Bash(rm -rf build)',
      createdAt: t.clock.nowIso(),
    });
    const outbox = t.app.get(OutboxService);
    for (const body of ['one', 'two', 'three']) outbox.enqueue({ to: DM, body, kind: 'result' });
    await advanceWhileDown(t, 120_000);
    t.app.get(RateLimiter).onRateLimited(30);

    const port = portOf(t);
    await expect(status(t, [], { HTTP_PORT: String(port) })).resolves.toEqual({
      code: 0,
      err: '',
      out: [
        `claude-signal-bridge on http://127.0.0.1:${port}: not ready (signal: Signal link is DISCONNECTED)`,
        'Signal link: down since 2026-01-01 00:00:00 UTC (2 min ago), waiting to reconnect (attempt 7)',
        'Sessions: 1 active',
        'Turns running: 0',
        'Approvals pending: 1',
        'Outbox: 3 waiting, the oldest for 2 min',
        'Rate limit: backing off until 2026-01-01 00:02:30 UTC (30 s from now)',
        '',
      ].join('\n'),
    });

    const json = await status(t, ['--url', `http://127.0.0.1:${port}/`, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual({
      url: `http://127.0.0.1:${port}`,
      ready: false,
      notReady: { signal: 'Signal link is DISCONNECTED' },
      link: { state: 'DISCONNECTED', since: '2026-01-01T00:00:00.000Z', attempt: 7 },
      sessions: { CREATED: 0, ACTIVE: 1, PAUSED: 0, TERMINATED: 0 },
      turnsRunning: 0,
      approvalsPending: 1,
      outbox: { waiting: 3, oldestAgeSeconds: 120 },
      rateLimit: { state: 'backing-off', until: '2026-01-01T00:02:30.000Z' },
    });
  });

  it('while all is well: connected since when, nothing waiting, sending open', async () => {
    const s = await createSignalApp('signal-cli');
    t = s;
    const sessions = t.app.get(SessionsService);
    const paused = await sessions.create({ conversationId: 'dm:user-1', project: '.' });
    await sessions.transition(paused.id, 'ACTIVE');
    await sessions.transition(paused.id, 'PAUSED');
    const ended = await sessions.create({ conversationId: 'dm:user-2', project: '.' });
    await sessions.transition(ended.id, 'TERMINATED');
    await runClockUntil(s, () => t.clock.nowMs() >= Date.parse('2026-01-01T00:01:30Z'));

    const port = portOf(t);
    await expect(status(t, ['--url', `http://127.0.0.1:${port}`])).resolves.toEqual({
      code: 0,
      err: '',
      out: [
        `claude-signal-bridge on http://127.0.0.1:${port}: ready`,
        'Signal link: connected since 2026-01-01 00:00:00 UTC (1 min ago)',
        'Sessions: 1 paused, 1 terminated',
        'Turns running: 0',
        'Approvals pending: 0',
        'Outbox: empty',
        'Rate limit: open',
        '',
      ].join('\n'),
    });
  });
});

describe('npm run status without a daemon to ask', () => {
  it('when the daemon is not running: one plain line and exit code 1', async () => {
    // The discard port: nothing listens there.
    await expect(status(undefined, [], { HTTP_PORT: '9' })).resolves.toEqual({
      code: 1,
      out: '',
      err: 'The daemon is not answering on http://127.0.0.1:9 — is it running? Start it with npm start.\n',
    });
    await expect(status(undefined, ['--url', 'http://127.0.0.1:9'])).resolves.toMatchObject({
      code: 1,
      err: 'The daemon is not answering on http://127.0.0.1:9 — is it running? Start it with npm start.\n',
    });
  });

  it('names a bad HTTP_PORT or option the way the daemon would, with exit code 1', async () => {
    await expect(status(undefined, [], { HTTP_PORT: 'eighty' })).resolves.toEqual({
      code: 1,
      out: '',
      err: 'Invalid configuration:\n  - HTTP_PORT: must be a whole number (got "eighty")\n',
    });
    await expect(status(undefined, ['--verbose'])).resolves.toEqual({
      code: 1,
      out: '',
      err: "Unknown option '--verbose'. Usage: npm run status [-- --url http://127.0.0.1:8081] [--json]\n",
    });
  });
});
