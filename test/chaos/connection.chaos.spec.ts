import { Sqlite } from '../../src/common/database';
import { EventBus } from '../../src/common/events';
import { Random } from '../../src/common/random';
import { OutboxService } from '../../src/modules/outbox';
import { ConnectionChange, ConnectionSupervisor } from '../../src/modules/resilience';
import { ActivityLogService, SessionsService } from '../../src/modules/sessions';
import { DataSource } from 'typeorm';
import { faultySqlite, FaultySqlite } from '../utils/faulty-sqlite';
import { httpGet } from '../utils/http';
import { runClockUntil } from '../utils/outbox-driver';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

const DM = { kind: 'dm', peer: OWNER.uuid } as const;
const FAST = { RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' };

function record(t: SignalTestApp): ConnectionChange[] {
  const changes: ConnectionChange[] = [];
  t.app.get(EventBus).on('link.changed', (c) => changes.push(c));
  return changes;
}

const link = (t: SignalTestApp) => t.app.get(ConnectionSupervisor);

describe.each(['signal-cli', 'rest'] as const)('drop and reconnect (%s)', (transport) => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('DISCONNECTED at once, RECONNECTING one second later, then CONNECTED after SYNCING', async () => {
    t = await createSignalApp(transport);
    const changes = record(t);
    const start = t.clock.nowMs();
    t.sim.dropStreams();
    await waitFor(() => link(t).state === 'DISCONNECTED', 'the drop');
    t.sim.phoneSends({ from: OWNER, text: '/help' });
    await t.clock.advance(1000);
    await waitFor(() => link(t).isConnected, 'the reconnect');
    expect(changes.map((c) => [c.from, c.to, c.at - start])).toEqual([
      ['CONNECTED', 'DISCONNECTED', 0],
      ['DISCONNECTED', 'RECONNECTING', 1000],
      ['RECONNECTING', 'CONNECTED', 1000],
      ['CONNECTED', 'SYNCING', 1000],
      ['SYNCING', 'CONNECTED', 1000],
    ]);
    // What the phone sent meanwhile: kept and delivered once by signal-cli, lost by the REST API.
    await runClockUntil(t, () => t.clock.nowMs() - start > 60_000);
    expect(t.sim.sent.map((m) => m.message.split('\n')[0])).toEqual(
      transport === 'signal-cli' ? ['Commands:'] : [],
    );
  });
});

describe('connection supervisor', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('half-open: a stream that goes silent is dropped within the watchdog window and reopened', async () => {
    t = await createSignalApp('signal-cli');
    const changes = record(t);
    const start = t.clock.nowMs();
    t.sim.stallStreams();
    await runClockUntil(t, () => link(t).state === 'DISCONNECTED');
    const detectedAfter = changes[0].at - start;
    expect(detectedAfter).toBeGreaterThan(30_000); // twice the 15 s keep-alive
    expect(detectedAfter).toBeLessThanOrEqual(35_000); // plus one watchdog period
    t.sim.stallStreams(false);
    await runClockUntil(t, () => link(t).isConnected);
    expect(t.sim.connectedStreams).toBe(1);
  });

  it('refused connections: waits of 1, 2, 4, 8, 16, 32, 60, 60 s exactly', async () => {
    t = await createSignalApp('signal-cli');
    const changes = record(t);
    t.sim.refuseConnections(4 * 60_000);
    await runClockUntil(t, () => changes.filter((c) => c.to === 'RECONNECTING').length === 8);
    const disconnects = changes.filter((c) => c.to === 'DISCONNECTED').map((c) => c.at);
    const attempts = changes.filter((c) => c.to === 'RECONNECTING').map((c) => c.at);
    expect(attempts.map((at, i) => (at - disconnects[i]) / 1000)).toEqual([
      1, 2, 4, 8, 16, 32, 60, 60,
    ]);
    expect(link(t).attempt).toBe(8);
    await runClockUntil(t, () => link(t).isConnected);
    expect(link(t).attempt).toBe(0);
  });

  it.each([
    [0, [0.5, 1, 2, 4, 8, 16, 30, 30]],
    [0.5, [0.75, 1.5, 3, 6, 12, 24, 45, 45]],
  ])('RECONNECT_JITTER with the random source at %d: waits of %j s', async (random, waits) => {
    t = await createSignalApp('signal-cli', {
      env: { RECONNECT_JITTER: 'true' },
      override: (b) => b.overrideProvider(Random).useValue({ next: () => random }),
    });
    const changes = record(t);
    t.sim.refuseConnections(4 * 60_000);
    await runClockUntil(t, () => changes.filter((c) => c.to === 'RECONNECTING').length === 8);
    const disconnects = changes.filter((c) => c.to === 'DISCONNECTED').map((c) => c.at);
    const attempts = changes.filter((c) => c.to === 'RECONNECTING').map((c) => c.at);
    expect(attempts.map((at, i) => (at - disconnects[i]) / 1000)).toEqual(waits);
  });

  it('50 drop/reconnect cycles with traffic both ways: nothing lost, nothing twice, attempt back to 0 each time', async () => {
    t = await createSignalApp('signal-cli', { env: FAST });
    const outbox = t.app.get(OutboxService);
    for (let cycle = 0; cycle < 50; cycle++) {
      const handled = await t.inbound('handled');
      t.sim.phoneSends({ from: OWNER, text: `/nonsense-${cycle}` });
      // Handled before the drop: an event written into a socket as it dies can be lost in transit.
      await waitFor(async () => (await t.inbound('handled')) === handled + 1, 'the message');
      outbox.enqueue({ to: DM, body: `from the bot ${cycle}`, kind: 'result' });
      t.sim.dropStreams();
      await waitFor(() => link(t).state === 'DISCONNECTED', 'the drop');
      t.sim.phoneSends({ from: OWNER, text: `/away-${cycle}` });
      await runClockUntil(t, () => link(t).isConnected);
      expect(link(t).attempt).toBe(0);
    }
    await runClockUntil(t, () => t.sim.sent.length === 150 && outbox.depth() === 0);
    const sent = t.sim.sent.map((s) => s.message);
    for (let cycle = 0; cycle < 50; cycle++) {
      expect(sent.filter((m) => m === `from the bot ${cycle}`)).toHaveLength(1);
      expect(sent.filter((m) => m.startsWith(`I don't know /nonsense-${cycle}.`))).toHaveLength(1);
      expect(sent.filter((m) => m.startsWith(`I don't know /away-${cycle}.`))).toHaveLength(1);
    }
    expect(sent).toHaveLength(150);
  });

  it('100 replies produced during an outage are delivered in order after reconnect', async () => {
    t = await createSignalApp('rest', { env: FAST });
    t.sim.refuseConnections(10 * 60_000);
    await waitFor(() => link(t).state !== 'CONNECTED', 'the drop');
    const outbox = t.app.get(OutboxService);
    for (let i = 0; i < 100; i++) outbox.enqueue({ to: DM, body: `reply ${i}`, kind: 'reply' });
    await runClockUntil(t, () => t.sim.sent.length === 100);
    expect(t.sim.sent.map((s) => s.message)).toEqual(
      Array.from({ length: 100 }, (_, i) => `reply ${i}`),
    );
  });

  it('ten producers enqueueing while the outbox drains: each message once, each producer in order', async () => {
    t = await createSignalApp('signal-cli');
    const outbox = t.app.get(OutboxService);
    const producers = Array.from({ length: 10 }, async (_, p) => {
      for (let i = 0; i < 20; i++) {
        outbox.enqueue({ to: DM, body: `p${p}-${i}`, kind: 'reply' });
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    await Promise.all(producers);
    await runClockUntil(t, () => t.sim.sent.length === 200);
    const sent = t.sim.sent.map((s) => s.message);
    expect(new Set(sent).size).toBe(200);
    for (let p = 0; p < 10; p++) {
      expect(sent.filter((m) => m.startsWith(`p${p}-`))).toEqual(
        Array.from({ length: 20 }, (_, i) => `p${p}-${i}`),
      );
    }
  });

  it('catch-up: activity in two of five sessions during an outage gives exactly two summaries, bounded, before that session’s other messages', async () => {
    t = await createSignalApp('signal-cli', { env: FAST });
    const sessions = t.app.get(SessionsService);
    const activity = t.app.get(ActivityLogService);
    const outbox = t.app.get(OutboxService);
    const made = [];
    for (let i = 0; i < 5; i++) {
      const s = await sessions.create({ conversationId: `dm:user-${i}`, project: '.' });
      made.push(await sessions.transition(s.id, 'ACTIVE'));
    }
    t.sim.refuseConnections(60_000);
    await waitFor(() => link(t).state !== 'CONNECTED', 'the drop');
    await t.clock.advance(10);
    for (let i = 0; i < 47; i++)
      await activity.trackActivity(made[1].id, 'file_edit', { path: `f${i}.ts` });
    await activity.trackActivity(made[3].id, 'command', {
      command: 'npm test',
      outcome: '12 passed',
    });
    outbox.enqueue({
      to: { kind: 'dm', peer: 'user-1' },
      body: 'working on it',
      kind: 'progress',
      turnKey: 'turn-a',
    });
    outbox.enqueue({
      to: { kind: 'dm', peer: 'user-1' },
      body: 'result for user-1',
      kind: 'result',
    });
    outbox.enqueue({
      to: { kind: 'dm', peer: 'user-3' },
      body: 'result for user-3',
      kind: 'result',
    });
    await runClockUntil(t, () => link(t).isConnected && outbox.depth() === 0);
    const sent = t.sim.sent.map((s) => [s.recipients[0], s.message.split('\n')[0]]);
    expect(sent).toEqual([
      ['user-1', 'While you were away, Claude did 47 things:'],
      ['user-3', 'While you were away, Claude did 1 thing:'],
      ['user-1', 'result for user-1'],
      ['user-3', 'result for user-3'],
    ]);
    const first = t.sim.sent[0].message.split('\n');
    expect(first).toHaveLength(12); // header, 10 lines, "… and 37 more"
    expect(first[11]).toBe('… and 37 more');
  });

  it('an hour-long outage while work goes on: one summary per session plus every approval and result, no stale progress', async () => {
    t = await createSignalApp('signal-cli', { env: FAST });
    const sessions = t.app.get(SessionsService);
    const activity = t.app.get(ActivityLogService);
    const outbox = t.app.get(OutboxService);
    const s = await sessions.create({ conversationId: 'dm:user-9', project: '.' });
    await sessions.transition(s.id, 'ACTIVE');
    const to = { kind: 'dm', peer: 'user-9' } as const;
    t.sim.refuseConnections(60 * 60_000);
    await waitFor(() => link(t).state !== 'CONNECTED', 'the drop');
    for (let minute = 1; minute <= 60; minute++) {
      await t.clock.advance(60_000);
      await activity.trackActivity(s.id, 'command', { command: `step ${minute}` });
      outbox.enqueue({
        to,
        body: `progress at minute ${minute}`,
        kind: 'progress',
        turnKey: `turn-${Math.ceil(minute / 20)}`,
      });
      if (minute % 20 === 0) {
        outbox.enqueue({ to, body: `approve step ${minute}?`, kind: 'approval' });
        outbox.enqueue({ to, body: `result of turn ${minute / 20}`, kind: 'result' });
      }
    }
    await runClockUntil(t, () => link(t).isConnected && outbox.depth() === 0);
    const sent = t.sim.sent.map((m) => m.message.split('\n')[0]);
    expect(sent).toEqual([
      'While you were away, Claude did 60 things:',
      // Urgent first: the approvals go ahead of the results that waited with them.
      'approve step 20?',
      'approve step 40?',
      'approve step 60?',
      'result of turn 1',
      'result of turn 2',
      'result of turn 3',
    ]);
  });

  it('catch-up whose summary cannot be queued: activity stays unsummarized, and the next reconnect sends it', async () => {
    t = await createSignalApp('signal-cli', {
      env: FAST,
      override: (b) =>
        b
          .overrideProvider(Sqlite)
          .useFactory(faultySqlite(/INSERT INTO outbox_messages/, 'disk full', false)),
    });
    const fault = t.app.get(Sqlite) as FaultySqlite;
    const sessions = t.app.get(SessionsService);
    const activity = t.app.get(ActivityLogService);
    const s = await sessions.create({ conversationId: `dm:${OWNER.uuid}`, project: '.' });
    await sessions.transition(s.id, 'ACTIVE');
    t.sim.dropStreams();
    await waitFor(() => link(t).state === 'DISCONNECTED', 'the first drop');
    await activity.trackActivity(s.id, 'file_edit', { path: 'src/app.ts' });
    await activity.trackActivity(s.id, 'command', { command: 'npm test', outcome: '12 passed' });
    fault.armed = true;
    await t.clock.advance(1000);
    await waitFor(() => link(t).isConnected, 'the first reconnect');
    const unsummarized = async () =>
      (
        (await t.app
          .get(DataSource)
          .query(`SELECT count(*) AS n FROM session_activity WHERE summarized = 0`)) as {
          n: number;
        }[]
      )[0].n;
    await expect(unsummarized()).resolves.toBe(2); // the mark was rolled back with the enqueue
    expect(t.app.get(OutboxService).depth()).toBe(0);

    fault.armed = false;
    t.sim.dropStreams(); // no new activity: only the summary still owed can bring it
    await waitFor(() => link(t).state === 'DISCONNECTED', 'the second drop');
    await t.clock.advance(1000);
    await runClockUntil(t, () => t.sim.sent.length === 1);
    expect(t.sim.sent.map((m) => m.message)).toEqual([
      'While you were away, Claude did 2 things:\n• edited src/app.ts\n• ran npm test (12 passed)',
    ]);
    await expect(unsummarized()).resolves.toBe(0);
  });

  it('health: readiness 503 naming Signal while disconnected, 200 after; liveness 200 throughout', async () => {
    t = await createSignalApp('signal-cli');
    t.sim.refuseConnections(5000);
    await waitFor(() => link(t).state !== 'CONNECTED', 'the drop');
    await expect(httpGet(t.app, '/health/ready')).resolves.toMatchObject({
      status: 503,
      body: {
        error: {
          signal: {
            status: 'down',
            message: expect.stringMatching(/^Signal link is (DISCONNECTED|RECONNECTING)$/),
          },
        },
      },
    });
    await expect(httpGet(t.app, '/health/live')).resolves.toMatchObject({ status: 200 });
    await runClockUntil(t, () => link(t).isConnected);
    await expect(httpGet(t.app, '/health/ready')).resolves.toMatchObject({ status: 200 });
    await expect(httpGet(t.app, '/health/live')).resolves.toMatchObject({ status: 200 });
    const metrics = (await httpGet(t.app, '/metrics')).text;
    expect(metrics).toContain('bridge_signal_reconnects_total{service="claude-signal-bridge"} 1');
    expect(metrics).toContain(
      'bridge_signal_connection_state{state="CONNECTED",service="claude-signal-bridge"} 1',
    );
    expect(metrics).toMatch(
      /^bridge_signal_disconnected_seconds_total\{service="claude-signal-bridge"\} [1-9]/m,
    );
  });
});
