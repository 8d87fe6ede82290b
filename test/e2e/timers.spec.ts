import { Registry } from 'prom-client';
import { OutboxService } from '../../src/modules/outbox';
import { createFakeAgentApp } from '../utils/fake-agent-runner';
import { OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

/** `bridge_timer_failures_total` by timer. */
async function timerFailures(t: SignalTestApp): Promise<Record<string, number>> {
  const metric = await t.app.get(Registry).getSingleMetric('bridge_timer_failures_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [v.labels.timer, v.value]));
}

describe('a timer whose callback fails', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('a progress edit whose database write throws: counted, and the daemon keeps answering', async () => {
    const { t: app, runner } = await createFakeAgentApp({
      env: { RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' },
    });
    t = app;
    t.sim.phoneSends({ from: OWNER, text: '/verbosity normal' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo read things' });
    await waitFor(() => runner.turns.length === 1 && t.sim.sent.length === 2, 'the turn');
    runner.turns[0].tool('Read', { file_path: 'a.txt' });
    await waitFor(() => t.sim.sent.some((s) => s.message.startsWith('⏳ Working')), 'progress');
    // The next step comes within the edit interval: its edit waits on a timer, whose write fails.
    const outbox = t.app.get(OutboxService);
    const enqueue = outbox.enqueue.bind(outbox);
    const failing = jest.spyOn(outbox, 'enqueue').mockImplementation((message) => {
      if (message.kind === 'progress') throw new Error('SQLITE_FULL: database or disk is full');
      return enqueue(message);
    });
    runner.turns[0].tool('Read', { file_path: 'b.txt' });
    await t.clock.advance(5000); // PROGRESS_EDIT_SECONDS
    await expect(timerFailures(t)).resolves.toEqual({ progress: 1 });
    failing.mockRestore();

    const before = t.sim.sent.length;
    t.sim.phoneSends({ from: OWNER, text: '/status' });
    await waitFor(() => t.sim.sent.length > before, 'the answer');
    expect(t.sim.sent.at(-1)?.message).toMatch(/^Signal: connected/);
    runner.turns[0].finish('Read them.');
    await waitFor(() => t.sim.sent.some((s) => s.message === 'Read them.'), 'the result');
  });

  it('a failing timer of any kind is reported, once per failure, and later timers still run', async () => {
    const { t: app } = await createFakeAgentApp();
    t = app;
    const ran: string[] = [];
    t.clock.schedule(
      () => {
        throw new Error('boom');
      },
      10,
      'throws',
    );
    t.clock.schedule(() => Promise.reject(new Error('no')), 20, 'rejects');
    t.clock.repeat(() => ran.push('tick'), 30, 'ticks');
    await t.clock.advance(95);
    expect(ran).toEqual(['tick', 'tick', 'tick']);
    await expect(timerFailures(t)).resolves.toEqual({ throws: 1, rejects: 1 });
  });
});
