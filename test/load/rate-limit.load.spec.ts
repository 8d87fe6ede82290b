import { FakeClock, flushMicrotasks } from '../../src/common/clock';
import { AppConfig } from '../../src/common/config';
import { RateLimiter } from '../../src/modules/rate-limit';
import { OutboxService } from '../../src/modules/outbox';
import { ConnectionSupervisor } from '../../src/modules/resilience';
import { Registry } from 'prom-client';
import { runClockUntil } from '../utils/outbox-driver';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

const config = (perMinute = 30, burst = 5) =>
  ({ rateLimit: { perMinute, burst, backoffCapMs: 60_000, cooldownMs: 60_000 } }) as AppConfig;

function limiter(clock: FakeClock, perMinute = 30, burst = 5): RateLimiter {
  return new RateLimiter(clock, config(perMinute, burst), new Registry());
}

describe('rate limiter', () => {
  it('burst: 5 sends go at once; the 6th waits exactly 2 s at 30/min', async () => {
    const clock = new FakeClock(0);
    const rl = limiter(clock);
    const granted: number[] = [];
    for (let i = 0; i < 6; i++) void rl.acquire().then(() => granted.push(clock.nowMs()));
    await flushMicrotasks();
    expect(granted).toEqual([0, 0, 0, 0, 0]);
    await clock.advance(1999);
    expect(granted).toHaveLength(5);
    await clock.advance(1);
    expect(granted).toEqual([0, 0, 0, 0, 0, 2000]);
  });

  it('1,000 concurrent acquires: first come first served, no token spent twice, counts as the bucket allows', async () => {
    const clock = new FakeClock(0);
    const rl = limiter(clock);
    const order: number[] = [];
    const all = Array.from({ length: 1000 }, (_, i) => rl.acquire().then(() => order.push(i)));
    await flushMicrotasks();
    expect(order).toHaveLength(5);
    for (const seconds of [1, 10, 60, 600, 1990]) {
      await clock.advance(seconds * 1000 - clock.nowMs());
      expect(order).toHaveLength(Math.min(1000, 5 + Math.floor(seconds / 2)));
    }
    await Promise.all(all);
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(rl.snapshot()).toMatchObject({ tokens: 0, waiting: 0 });
  });

  it('canSend() reflects tokens, backoff and captcha; reset() clears them', async () => {
    const clock = new FakeClock(0);
    const rl = limiter(clock);
    expect(rl.canSend()).toBe(true);
    for (let i = 0; i < 5; i++) await rl.acquire();
    expect(rl.canSend()).toBe(false);
    await clock.advance(2000);
    expect(rl.canSend()).toBe(true);
    expect(rl.onRateLimited()).toBe(1000);
    expect(rl.canSend()).toBe(false);
    expect(rl.snapshot()).toMatchObject({ state: 'backing-off', pausedForMs: 1000, rejections: 1 });
    await clock.advance(1000);
    expect(rl.canSend()).toBe(true);
    rl.onProofRequired('token-1');
    expect(rl.canSend()).toBe(false);
    expect(rl.snapshot().state).toBe('captcha-required');
    expect(rl.challenge).toBe('token-1');
    rl.liftCaptcha();
    expect(rl.canSend()).toBe(true);
    rl.onRateLimited(30);
    rl.onProofRequired('token-2');
    rl.reset();
    expect(rl.canSend()).toBe(true);
    expect(rl.snapshot()).toEqual({
      state: 'open',
      tokens: 5,
      rejections: 0,
      pausedForMs: 0,
      waiting: 0,
    });
  });

  it('backs off 1, 2, 4 … s, takes Signal’s longer retry-after, caps at 60 s, and forgets after a quiet minute', async () => {
    const clock = new FakeClock(0);
    const rl = limiter(clock);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => rl.onRateLimited())).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(rl.onRateLimited(86_400)).toBe(86_400_000);
    rl.reset();
    expect(rl.onRateLimited(30)).toBe(30_000);
    await clock.advance(30_000);
    rl.onSent();
    expect(rl.snapshot().rejections).toBe(1); // not yet a quiet minute since the rejection
    await clock.advance(30_000);
    rl.onSent();
    expect(rl.snapshot().rejections).toBe(0);
    expect(rl.onRateLimited()).toBe(1000);
  });

  it('an aborted waiter leaves the queue and the next one is served', async () => {
    const clock = new FakeClock(0);
    const rl = limiter(clock, 30, 1);
    await rl.acquire();
    const controller = new AbortController();
    const aborted = rl.acquire(controller.signal);
    const next = rl.acquire();
    controller.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    await clock.advance(2000);
    await expect(next).resolves.toBeUndefined();
  });
});

describe('rate limiter with the outbox and the simulator', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  const sendAll = (count: number, prefix = 'm') => {
    const outbox = t.app.get(OutboxService);
    for (let i = 0; i < count; i++) {
      outbox.enqueue({
        to: { kind: 'dm', peer: OWNER.uuid },
        body: `${prefix}${i}`,
        kind: 'reply',
      });
    }
  };

  it('sustained: 100 messages with the simulator enforcing the same limit: no rate-limit answer, minimum time', async () => {
    t = await createSignalApp('signal-cli');
    t.sim.limitSendRate(30, 5);
    sendAll(100);
    const took = await runClockUntil(t, () => t.sim.sent.length === 100);
    const minimum = 95 * 2000; // 5 at once, then one every 2 s
    expect(took).toBeGreaterThanOrEqual(minimum);
    expect(took).toBeLessThanOrEqual(minimum * 1.01);
    expect(t.sim.sent.map((s) => s.message)).toEqual(
      Array.from({ length: 100 }, (_, i) => `m${i}`),
    );
    const answers = t.sim.requests.filter((r) => r.path === 'rpc:send');
    expect(answers).toHaveLength(100); // every send was accepted the first time
  });

  it.each([
    [{ count: 5, retryAfterSeconds: undefined }, [1, 2, 4, 8, 16]],
    [{ count: 1, retryAfterSeconds: 30 }, [30]],
    [{ count: 8, retryAfterSeconds: undefined }, [1, 2, 4, 8, 16, 32, 60, 60]],
  ])('backoff on rejection %j: waits of %j s between attempts', async (fault, waits) => {
    t = await createSignalApp('signal-cli');
    t.sim.rateLimitNextSends(fault.count, { retryAfterSeconds: fault.retryAfterSeconds });
    sendAll(1);
    await runClockUntil(t, () => t.sim.sent.length === 1);
    const at = t.sim.requests.filter((r) => r.path === 'rpc:send').map((r) => r.at);
    expect(at.slice(1).map((time, i) => (time - at[i]) / 1000)).toEqual(waits);
  });

  it('200 messages queued while disconnected drain in order at the limit once Signal is back', async () => {
    t = await createSignalApp('signal-cli');
    t.sim.refuseConnections(10 * 60_000);
    const link = t.app.get(ConnectionSupervisor);
    await waitFor(() => link.state === 'DISCONNECTED', 'the drop');
    sendAll(200);
    await runClockUntil(t, () => t.clock.nowMs() >= Date.parse('2026-01-01T00:10:00.000Z'));
    expect(t.sim.sent).toHaveLength(0);
    const back = t.clock.nowMs();
    await runClockUntil(t, () => t.sim.sent.length === 200);
    expect(t.sim.sent.map((s) => s.message)).toEqual(
      Array.from({ length: 200 }, (_, i) => `m${i}`),
    );
    const first = t.sim.sent[0].timestamp;
    expect(first - back).toBeLessThanOrEqual(60_000); // reconnect backoff, then straight away
    const gaps = t.sim.sent.slice(1).map((s, i) => s.timestamp - t.sim.sent[i].timestamp);
    expect(Math.max(...gaps.slice(5))).toBeLessThanOrEqual(2001);
  });
});
