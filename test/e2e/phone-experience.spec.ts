import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '../../src/common/clock';
import { OutboxService } from '../../src/modules/outbox';
import { createFakeAgentApp } from '../utils/fake-agent-runner';
import { runClockUntil } from '../utils/outbox-driver';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { makeTempDir } from '../utils/temp-dir';
import { waitFor } from '../utils/wait-for';

const DM = { kind: 'dm', peer: OWNER.uuid } as const;
const FAST = { RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' };

describe('notifications and per-conversation settings', () => {
  let t: SignalTestApp | undefined;
  const temp = makeTempDir();
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  afterAll(() => temp.remove());

  it('verbosity and notification settings survive a restart; a muted kind arrives without a notification, urgent ones always buzz', async () => {
    t = await createSignalApp('signal-cli', { dir: temp.path, env: FAST });
    t.sim.phoneSends({ from: OWNER, text: '/verbosity verbose' });
    t.sim.phoneSends({ from: OWNER, text: '/notify results off' });
    t.sim.phoneSends({ from: OWNER, text: '/notify approvals off' });
    await waitFor(() => t?.sim.sent.length === 3, 'the answers');
    expect(t.sim.sent.map((s) => [s.message, s.urgent])).toEqual([
      ['Verbosity here: verbose.', true],
      ['Notifications: approvals and errors; quiet: results, progress.', false],
      ['Urgent messages (approvals, errors) always notify: they need you.', false],
    ]);
    await t.close();

    // A day later (new message timestamps: the same ones would be dropped as re-deliveries).
    const clock = new FakeClock('2026-01-02T00:00:00.000Z');
    t = await createSignalApp('signal-cli', { dir: temp.path, env: FAST, clock });
    t.sim.phoneSends({ from: OWNER, text: '/verbosity' });
    t.sim.phoneSends({ from: OWNER, text: '/notify' });
    await waitFor(() => t?.sim.sent.length === 2, 'the answers after the restart');
    expect(t.sim.sent.map((s) => [s.message, s.urgent])).toEqual([
      ['Verbosity here: verbose.', false],
      ['Notifications: approvals and errors; quiet: results, progress.', false],
    ]);
    // An error is urgent: it buzzes even here.
    t.app.get(OutboxService).enqueue({ to: DM, body: 'It broke.', kind: 'error' });
    t.app.get(OutboxService).enqueue({ to: DM, body: 'Step 1', kind: 'progress' });
    await waitFor(() => t?.sim.sent.length === 4, 'the error and the progress');
    expect(t.sim.sent.slice(2).map((s) => [s.message, s.urgent])).toEqual([
      ['It broke.', true],
      ['Step 1', false],
    ]);
  });

  it('a conversation’s project binding survives a restart', async () => {
    const dir = join(temp.path, 'binding');
    t = await createSignalApp('signal-cli', { dir, env: FAST });
    mkdirSync(join(dir, 'projects', 'demo'));
    mkdirSync(join(dir, 'projects', 'api'));
    t.sim.phoneSends({ from: OWNER, text: '/use demo' });
    await waitFor(() => t?.sim.sent.length === 1, 'the binding');
    await t.close();

    const clock = new FakeClock('2026-01-02T00:00:00.000Z');
    t = await createSignalApp('signal-cli', { dir, env: FAST, clock });
    await waitFor(() => t?.sim.sent.length === 1, 'the recovery notice');
    t.sim.phoneSends({ from: OWNER, text: '/projects' });
    await waitFor(() => t?.sim.sent.length === 2, 'the projects');
    expect(t.sim.sent.map((s) => s.message)).toEqual([
      'I restarted while your session in demo was active, so it is paused now. Send /resume to continue it.',
      'Projects:\n• api\n• demo — here\nBind this conversation with /use <project>.',
    ]);
  });
});

describe('live progress (fake agent, fake clock)', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  async function turnWithSteps(verbosity: string, steps: number): Promise<void> {
    const { t: app, runner } = await createFakeAgentApp({ env: FAST });
    t = app;
    t.sim.phoneSends({ from: OWNER, text: `/verbosity ${verbosity}` });
    t.sim.phoneSends({ from: OWNER, text: '/new demo go' });
    await waitFor(() => runner.turns.length === 1 && t.sim.sent.length === 2, 'the turn');
    const turn = runner.turns[0];
    for (let i = 1; i <= steps; i++) {
      turn.tool('Bash', { command: `step ${i}` });
      await t.clock.advance(1000); // one step a second
    }
    turn.finish('All done.');
    const done = (): boolean =>
      t.sim.sent.some((s) => s.message === 'All done.') &&
      (verbosity !== 'normal' || t.sim.sent.some((s) => s.message.startsWith('✔ Finished')));
    await runClockUntil(t, done);
  }

  it('normal: one progress message, edited in place never more often than every 5 s, then the result', async () => {
    await turnWithSteps('normal', 12);
    const progress = t.sim.sent.slice(2).filter((s) => s.message !== 'All done.');
    const first = progress[0];
    expect(first.editTimestamp).toBeNull();
    expect(first.message).toBe('⏳ Working in demo: 1 step, 0 s\n• Bash: step 1');
    const edits = progress.slice(1);

    expect(edits.every((e) => e.editTimestamp === first.timestamp)).toBe(true);
    const times = progress.map((p) => p.timestamp);
    for (let i = 1; i < times.length; i++) {
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(5000);
    }
    expect(edits.at(-1)?.message).toBe(
      '✔ Finished in demo: 12 steps, 17 s\n• Bash: step 9\n• Bash: step 10\n• Bash: step 11\n• Bash: step 12',
    );
    expect(t.sim.sent.filter((s) => s.message === 'All done.')).toHaveLength(1);
    expect(progress.every((p) => !p.urgent)).toBe(true); // progress does not buzz by default
    // "typing…" from the start, renewed every 10 s while the turn ran, stopped at its end.
    expect(t.sim.typing.map((x) => [x.to, x.stop])).toEqual([
      [OWNER.uuid, false],
      [OWNER.uuid, false],
      [OWNER.uuid, true],
    ]);
  });

  it('verbose: a message per tool call; quiet: none, only the result', async () => {
    await turnWithSteps('verbose', 3);
    expect(t.sim.sent.slice(2).map((s) => s.message)).toEqual([
      '🔧 Bash: step 1',
      '🔧 Bash: step 2',
      '🔧 Bash: step 3',
      'All done.',
    ]);
  });
});

describe('usage', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('each result ends with the turn’s time, model calls and cost; /usage totals the session and the day', async () => {
    const { t: app, runner } = await createFakeAgentApp({ env: FAST });
    t = app;
    t.sim.phoneSends({ from: OWNER, text: '/new demo first' });
    await waitFor(() => runner.turns.length === 1, 'the first turn');
    runner.turns[0].finish('First.', { durationMs: 12_300, numTurns: 3, costUsd: 0.0123 });
    t.sim.phoneSends({ from: OWNER, text: 'second' });
    await waitFor(() => runner.turns.length === 2, 'the second turn');
    // Resumed, Claude Code reports its conversation's total so far: 0.0123 + this turn's 1.50.
    runner.turns[1].finish('Second.', { durationMs: 65_000, numTurns: 1, costUsd: 1.5123 });
    await waitFor(() => t.sim.sent.length === 3, 'both results');
    t.sim.phoneSends({ from: OWNER, text: '/usage' });
    await waitFor(() => t.sim.sent.length === 4, 'the usage');
    expect(t.sim.sent.map((s) => s.message)).toEqual([
      'Started a session in demo; working on it.',
      'First.\n\n— 12 s · 3 model calls · $0.0123',
      'Second.\n\n— 1 min 5 s · 1 model call · $1.50',
      'This session: 2 turns, 1 min 17 s, $1.51\nToday (2026-01-01, all conversations): 2 turns, 1 min 17 s, $1.51',
    ]);
  });
});

describe('prompts waiting behind a turn', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  it('a prompt still queued when the daemon stops is offered back after the restart, and /retry runs it', async () => {
    const dir = join(temp.path, 'queued');
    const first = await createFakeAgentApp({ dir, env: FAST });
    first.t.sim.phoneSends({ from: OWNER, text: '/new demo first prompt' });
    await waitFor(() => first.runner.turns.length === 1, 'the first turn');
    first.t.sim.phoneSends({ from: OWNER, text: 'second prompt' });
    await waitFor(() => first.t.sim.sent.length === 2, 'the queue answer');
    expect(first.t.sim.sent[1].message).toBe('Queued: 1 ahead.');
    await first.t.close(); // the first turn is stopped; the second never started

    const clock = new FakeClock('2026-01-02T00:00:00.000Z');
    const second = await createFakeAgentApp({ dir, env: FAST, clock });
    try {
      await waitFor(() => second.t.sim.sent.length === 3, 'the notices');
      expect(second.t.sim.sent.map((s) => s.message).sort()).toEqual([
        'I restarted before I could handle 1 message(s) you sent:\n• “second prompt”\nSend /retry to run them now.',
        'I restarted while your session in demo was active, so it is paused now. Send /resume to continue it.',
        'Stopped: the daemon is shutting down. Send /resume after it is back.',
      ]);
      second.t.sim.phoneSends({ from: OWNER, text: '/resume' });
      second.t.sim.phoneSends({ from: OWNER, text: '/retry' });
      await waitFor(() => second.runner.turns.length === 1, 'the retried prompt');
      expect(second.runner.turns[0].request.prompt).toBe('second prompt');
    } finally {
      await second.t.close();
    }
  });
});
