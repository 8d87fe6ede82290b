import { FakeClock } from '../../src/common/clock';
import { EventBus } from '../../src/common/events';
import { OutboxService } from '../../src/modules/outbox';
import { ConnectionChange, ConnectionSupervisor } from '../../src/modules/resilience';
import { StreamHandlers } from '../../src/modules/signal';
import { RestTransport } from '../../src/modules/signal/transports/rest.transport';
import { SignalCliTransport } from '../../src/modules/signal/transports/signal-cli.transport';
import { httpGet } from '../utils/http';
import { runClockUntil } from '../utils/outbox-driver';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

const DM = { kind: 'dm', peer: OWNER.uuid } as const;

/** Per transport: silence allowed, the watchdog's period, and keep-alives due after `ms`. */
const LINKS = {
  // The daemon pings every 10 s; the simulated REST API pings on its own every 54 s. Noticed
  // at most 20 + 3.3 s after the last pong (the aim: 30 s; it was 108–126 s with only the
  // server's pings).
  rest: {
    limitMs: 20_000,
    watchdogMs: 20_000 / 6,
    keepAlivesAfter: (ms: number) => Math.floor(ms / 10_000) + Math.floor(ms / 54_000),
  },
  // signal-cli's SSE comment every 15 s.
  'signal-cli': {
    limitMs: 30_000,
    watchdogMs: 5_000,
    keepAlivesAfter: (ms: number) => Math.floor(ms / 15_000),
  },
} as const;

/** Counts the keep-alives the daemon's transports report, and notes when the last one came. */
function watchKeepAlives(clock: FakeClock): { count: number; lastAt: number } {
  const seen = { count: 0, lastAt: clock.nowMs() };
  for (const transport of [RestTransport, SignalCliTransport]) {
    const openStream = transport.prototype.openStream;
    jest.spyOn(transport.prototype, 'openStream').mockImplementation(function (
      this: RestTransport,
      handlers: StreamHandlers,
    ) {
      return openStream.call(this, {
        ...handlers,
        onKeepAlive: () => {
          seen.count++;
          seen.lastAt = clock.nowMs();
          handlers.onKeepAlive?.();
        },
      });
    });
  }
  return seen;
}

function record(t: SignalTestApp): ConnectionChange[] {
  const changes: ConnectionChange[] = [];
  t.app.get(EventBus).on('link.changed', (c) => changes.push(c));
  return changes;
}

const link = (t: SignalTestApp) => t.app.get(ConnectionSupervisor);

describe.each(['rest', 'signal-cli'] as const)('half-open event stream (%s)', (transport) => {
  const { limitMs, watchdogMs, keepAlivesAfter } = LINKS[transport];
  let t: SignalTestApp;
  afterEach(async () => {
    await t.close();
    jest.restoreAllMocks();
  });

  it('is noticed within the silence limit of the last keep-alive, dropped like any drop, and reconnected', async () => {
    const clock = new FakeClock();
    const seen = watchKeepAlives(clock);
    t = await createSignalApp(transport, { clock });
    const changes = record(t);
    await runClockUntil(t, () => seen.count === 1);

    t.sim.halfOpenStreams();
    t.sim.phoneSends({ from: OWNER, text: '/half-open-1' }); // into the dead socket: lost
    t.app.get(OutboxService).enqueue({ to: DM, body: 'sent while half-open', kind: 'result' });
    await runClockUntil(t, () => link(t).state === 'DISCONNECTED');
    const noticedAfter = changes[0].at - seen.lastAt;
    expect(noticedAfter).toBeGreaterThan(limitMs);
    expect(noticedAfter).toBeLessThanOrEqual(limitMs + watchdogMs);
    await expect(httpGet(t.app, '/health/ready')).resolves.toMatchObject({
      status: 503,
      body: { error: { signal: { status: 'down', message: 'Signal link is DISCONNECTED' } } },
    });

    await runClockUntil(t, () => link(t).isConnected);
    const dropAt = changes[0].at;
    expect(changes.map((c) => [c.from, c.to, c.at - dropAt])).toEqual([
      ['CONNECTED', 'DISCONNECTED', 0],
      ['DISCONNECTED', 'RECONNECTING', 1000],
      ['RECONNECTING', 'CONNECTED', 1000],
      ['CONNECTED', 'SYNCING', 1000],
      ['SYNCING', 'CONNECTED', 1000],
    ]);
    expect(t.sim.connectedStreams).toBe(1);

    t.sim.phoneSends({ from: OWNER, text: '/half-open-2' });
    await runClockUntil(t, () => t.clock.nowMs() - dropAt > 2 * 60_000);
    expect(t.sim.sent.map((m) => m.message.split('\n')[0])).toEqual([
      'sent while half-open', // over HTTP, which the dead event stream does not touch; once
      expect.stringMatching(/^I don't know \/half-open-2\./),
    ]);
    await expect(t.inbound('handled')).resolves.toBe(1);
    expect(link(t).isConnected).toBe(true);
    const metrics = (await httpGet(t.app, '/metrics')).text;
    expect(metrics).toContain('bridge_signal_reconnects_total{service="claude-signal-bridge"} 1');
    expect(metrics).toContain(
      'bridge_signal_disconnected_seconds_total{service="claude-signal-bridge"} 1',
    );
  });

  it('a healthy link is never dropped: ten minutes of keep-alives, no state change', async () => {
    const clock = new FakeClock();
    const seen = watchKeepAlives(clock);
    t = await createSignalApp(transport, { clock });
    const changes = record(t);
    const start = t.clock.nowMs();
    while (t.clock.nowMs() - start < 10 * 60_000) {
      await t.clock.advanceToNextTimer();
      const due = keepAlivesAfter(t.clock.nowMs() - start);
      await waitFor(() => seen.count === due, `keep-alive ${due}`);
    }
    expect(changes).toEqual([]);
    expect(link(t).isConnected).toBe(true);
    expect(seen.count).toBe(transport === 'rest' ? 60 + 11 : 40);
    expect(t.sim.pongsSent).toBe(transport === 'rest' ? 60 : 0);
  });
});
