import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '../../src/common/clock';
import { OutboxService } from '../../src/modules/outbox';
import { ConnectionSupervisor } from '../../src/modules/resilience';
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

  it('an approval raised while 200 progress updates wait in the outbox reaches the phone first', async () => {
    const { t: app, runner } = await createFakeAgentApp({ env: FAST });
    t = app;
    t.sim.phoneSends({ from: OWNER, text: '/new demo run the tests' });
    await waitFor(() => runner.turns.length === 1 && t?.sim.sent.length === 1, 'the turn');
    t.sim.refuseConnections(60_000); // well inside the 10 min approval timeout
    await waitFor(() => !t?.app.get(ConnectionSupervisor).isConnected, 'the drop');
    const outbox = t.app.get(OutboxService);
    for (let i = 1; i <= 200; i++) outbox.enqueue({ to: DM, body: `step ${i}`, kind: 'progress' });
    void runner.turns[0].ask('Bash', { command: 'npm test' });
    await waitFor(() => outbox.depth() === 201, 'the question in the outbox');
    await runClockUntil(
      t,
      () => (t?.app.get(ConnectionSupervisor).isConnected ?? false) && outbox.depth() === 0,
    );
    const sent = t.sim.sent.slice(1).map((s) => s.message);
    expect(sent).toHaveLength(201);
    expect(sent[0]).toMatch(/^Approval 1 — Bash in demo\nRun: npm test\n/);
    expect(sent.slice(1)).toEqual(Array.from({ length: 200 }, (_, i) => `step ${i + 1}`));
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
    const typing = t.sim.requests.filter((r) => r.path === 'rpc:sendTyping');
    expect(typing.length).toBeGreaterThanOrEqual(2);
    expect((typing.at(-1)?.body as { params: { stop: boolean } }).params.stop).toBe(true);
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
    runner.turns[1].finish('Second.', { durationMs: 65_000, numTurns: 1, costUsd: 1.5 });
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

describe('code on a phone', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it.each(['signal-cli', 'rest'] as const)(
    'monospace ranges land exactly on the code, with emoji and accents around it (%s)',
    async (transport) => {
      const { t: app, runner } = await createFakeAgentApp({ env: FAST }, transport);
      t = app;
      t.sim.phoneSends({ from: OWNER, text: '/new demo show me' });
      await waitFor(() => runner.turns.length === 1, 'the turn');
      runner.turns[0].finish(
        'Voilà 🎉 — run `npm test` then:\n```ts\nconst café = "☕";\n```\nÇa marche 👍🏽 with `ok`.',
      );
      await waitFor(() => t.sim.sent.length === 2, 'the result');
      const result = t.sim.sent[1];
      expect(result.message).toBe(
        'Voilà 🎉 — run npm test then:\nconst café = "☕";\nÇa marche 👍🏽 with ok.',
      );
      expect(
        result.textStyles.map((s) => [s.style, result.message.slice(s.start, s.start + s.length)]),
      ).toEqual([
        ['MONOSPACE', 'npm test'],
        ['MONOSPACE', 'const café = "☕";'],
        ['MONOSPACE', 'ok'],
      ]);
    },
  );

  it('a 50 KB result arrives as a short message plus a file holding all of it; /full sends it again', async () => {
    const { t: app, runner } = await createFakeAgentApp({ env: FAST });
    t = app;
    const output = Array.from({ length: 1700 }, (_, i) => `row ${i}: ${'·'.repeat(10)} ok`).join(
      '\n',
    );
    expect(Buffer.byteLength(output)).toBeGreaterThan(50_000);
    t.sim.phoneSends({ from: OWNER, text: '/new demo dump it' });
    await waitFor(() => runner.turns.length === 1, 'the turn');
    runner.turns[0].finish(output);
    await waitFor(() => t.sim.sent.length === 2, 'the result');
    const result = t.sim.sent[1];
    expect(Buffer.byteLength(result.message)).toBeLessThan(2000);
    expect(result.message).toMatch(
      /^row 0: ·+ ok\n[\s\S]*\n\n… \d+ KB in all: the whole answer is attached \(answer\.md\)\.$/,
    );
    expect(result.attachments.map((a) => [a.filename, a.data.toString()])).toEqual([
      ['answer.md', output],
    ]);
    t.sim.phoneSends({ from: OWNER, text: '/full' });
    await waitFor(() => t.sim.sent.length === 3, 'the full answer');
    expect(t.sim.sent[2].message).toMatch(/^The last answer, whole \(\d+ KB\): answer\.md$/);
    expect(t.sim.sent[2].attachments[0].data.toString()).toBe(output);
  });
});
