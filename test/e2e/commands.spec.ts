import { DataSource } from 'typeorm';
import { FakeClock } from '../../src/common/clock';
import { CommandDispatcher } from '../../src/modules/commands';
import { ConnectionSupervisor } from '../../src/modules/resilience';
import { parseSignalEvent } from '../../src/modules/signal';
import { InboundMessageRepository } from '../../src/modules/signal/inbound-message.repository';
import { buildEnvelope } from '../../src/simulator/phone';
import { createApp } from '../utils/create-app';
import { createFakeAgentApp } from '../utils/fake-agent-runner';
import { HELP_TEXT } from '../utils/help-text';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { BOT_ACCOUNT } from '../utils/test-config';
import { makeTempDir } from '../utils/temp-dir';
import { waitFor } from '../utils/wait-for';

const sentTexts = (t: SignalTestApp) => t.sim.sent.map((s) => s.message);

/** The owner's text as the daemon parses it. */
function ownerMessage(text: string, timestamp: number) {
  const parsed = parseSignalEvent(
    buildEnvelope(BOT_ACCOUNT, { from: OWNER, text }, timestamp),
    BOT_ACCOUNT,
  );
  if (parsed.kind !== 'message') throw new Error('the phone builder made no message');
  return parsed.message;
}

describe('command router', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('says plainly that a prompt cannot run without a session', async () => {
    t = await createSignalApp('signal-cli');
    t.sim.phoneSends({ from: OWNER, text: 'fix the failing test' });
    await waitFor(() => t.sim.sent.length === 1, 'the reply');
    expect(sentTexts(t)).toEqual([
      'There is no session here yet. Start one with /new <project> [prompt]; /help lists the rest.',
    ]);
  });

  it('answers /status with the link, sessions and waiting messages', async () => {
    t = await createSignalApp('rest');
    t.sim.phoneSends({ from: OWNER, text: '  /STATUS ' });
    await waitFor(() => t.sim.sent.length === 1, 'the reply');
    expect(sentTexts(t)).toEqual([
      'Signal: connected (rest)\nSending: ok; 0 waiting in the outbox\nSessions: 0 active, 0 paused, 0 new\nWaiting for /retry here: 0\nTurns running: 0 of at most 4\nHere: verbosity normal; notifications: approvals and errors, results; quiet: progress.\nSandbox: off (SANDBOX=off)\nApprovals waiting here: none',
    ]);
  });

  it('runs prompts one turn at a time, says what is queued, and answers /stop at once mid-turn', async () => {
    const { t: app, runner } = await createFakeAgentApp({
      env: { RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' },
    });
    t = app;
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    await waitFor(() => t.sim.sent.length === 1, 'the session');
    t.sim.phoneSends({ from: OWNER, text: 'first prompt' });
    t.sim.phoneSends({ from: OWNER, text: 'second prompt' });
    await waitFor(() => t.sim.sent.length === 2 && runner.turns.length === 1, 'the queue');
    t.sim.phoneSends({ from: OWNER, text: '/status' }); // not held up by the running turn
    await waitFor(() => t.sim.sent.length === 3, 'the status');
    expect(sentTexts(t).slice(0, 2)).toEqual([
      'Started a session in demo. Send a prompt.',
      'Queued: 1 ahead.',
    ]);
    expect(sentTexts(t)[2]).toContain('\nTurns running: 1 of at most 4\n');
    runner.turns[0].finish('done: first prompt');
    await waitFor(() => runner.turns.length === 2, 'the second turn');
    runner.turns[1].finish('done: second prompt');
    await waitFor(() => t.sim.sent.length === 5, 'both results');
    t.sim.phoneSends({ from: OWNER, text: 'third prompt' });
    await waitFor(() => runner.turns.length === 3, 'the third turn');
    t.sim.phoneSends({ from: OWNER, text: 'fourth prompt' });
    await waitFor(() => t.sim.sent.length === 6, 'the fourth queued');
    t.sim.phoneSends({ from: OWNER, text: '/stop' });
    await waitFor(() => t.sim.sent.length === 7, 'the stop');
    expect(sentTexts(t).slice(3)).toEqual([
      'done: first prompt',
      'done: second prompt',
      'Queued: 1 ahead.',
      'Stopped: the turn was interrupted. The prompt queued behind it was not run: send it again when you want it.',
    ]);
    expect(runner.turns.map((turn) => [turn.request.prompt, turn.interrupted])).toEqual([
      ['first prompt', false],
      ['second prompt', false],
      ['third prompt', true],
    ]);
  });

  it('offers messages a dead daemon recorded but never handled, and runs them on /retry', async () => {
    const temp = makeTempDir();
    const clock = new FakeClock();
    // The previous daemon recorded two messages and died before handling them.
    const before = await createApp({ dir: temp.path, clock, listen: false });
    const records = before.app.get(InboundMessageRepository);
    records.recordOnce(ownerMessage('/help', 100), clock.nowIso());
    records.recordOnce(ownerMessage('run the tests', 101), clock.nowIso());
    await before.close();

    t = await createSignalApp('signal-cli', { dir: temp.path, clock });
    try {
      await waitFor(() => t.sim.sent.length === 1, 'the offer');
      expect(sentTexts(t)).toEqual([
        'I restarted before I could handle 2 message(s) you sent:\n• “/help”\n• “run the tests”\nSend /retry to run them now.',
      ]);
      t.sim.phoneSends({ from: OWNER, text: '/retry' });
      await waitFor(() => t.sim.sent.length === 4, 'the retried answers');
      expect(sentTexts(t).slice(1, 3)).toEqual(['Running 2 saved message(s).', HELP_TEXT]);
      expect(sentTexts(t)[3]).toMatch(/^There is no session here yet\./);
      t.sim.phoneSends({ from: OWNER, text: '/retry' });
      await waitFor(() => t.sim.sent.length === 5, 'the second /retry answer');
      expect(sentTexts(t)[4]).toBe('Nothing is waiting to be retried here.');
    } finally {
      temp.remove();
    }
  });
});

describe('kept for /retry means kept', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('/retry list numbers what is kept, /retry drop <n> and /retry drop forget it, and the purge keeps the rest', async () => {
    const temp = makeTempDir();
    const clock = new FakeClock();
    const before = await createApp({ dir: temp.path, clock, listen: false });
    const records = before.app.get(InboundMessageRepository);
    for (const [i, text] of ['fix the login bug', 'then run the tests', 'and deploy'].entries()) {
      records.recordOnce(ownerMessage(text, 100 + i), clock.nowIso());
      records.markAwaitingRetry(ownerMessage(text, 100 + i).key);
    }
    await before.close();
    t = await createSignalApp('signal-cli', {
      dir: temp.path,
      clock,
      env: { INBOUND_RETENTION_HOURS: '2' },
    });
    try {
      const states = () =>
        t.app
          .get(DataSource)
          .query(`SELECT state, count(*) AS n FROM inbound_messages GROUP BY state ORDER BY state`);
      // Older than the retention, and still kept: the purge takes only what is done with.
      await t.clock.advance(3 * 3_600_000);
      t.sim.phoneSends({ from: OWNER, text: '/retry list' });
      await waitFor(() => t.sim.sent.length === 1, 'the list');
      expect(sentTexts(t)[0]).toBe(
        'Kept for /retry here, oldest first:\n1. “fix the login bug”\n2. “then run the tests”\n3. “and deploy”\nSend /retry to run them, /retry drop <n> to forget one, /retry drop to forget them all.',
      );
      t.sim.phoneSends({ from: OWNER, text: '/retry drop 3' });
      t.sim.phoneSends({ from: OWNER, text: '/retry drop 7' });
      t.sim.phoneSends({ from: OWNER, text: '/retry list' });
      await waitFor(() => t.sim.sent.length === 4, 'the answers');
      expect(sentTexts(t).slice(1)).toEqual([
        'Dropped “and deploy”.',
        'There is no message 7 here: /retry list shows 1 to 2.',
        'Kept for /retry here, oldest first:\n1. “fix the login bug”\n2. “then run the tests”\nSend /retry to run them, /retry drop <n> to forget one, /retry drop to forget them all.',
      ]);
      // The hourly purge, past the retention again: the commands and the dropped one go.
      await t.clock.advance(3 * 3_600_000);
      await expect(states()).resolves.toEqual([{ state: 'awaiting-retry', n: 2 }]);
      t.sim.phoneSends({ from: OWNER, text: '/retry drop' });
      await waitFor(() => t.sim.sent.length === 5, 'the drop');
      expect(sentTexts(t)[4]).toBe('Dropped 2 kept message(s); nothing is waiting here now.');
      await expect(states()).resolves.toEqual([
        { state: 'dropped', n: 2 },
        { state: 'handled', n: 1 },
      ]);
      await t.clock.advance(3 * 3_600_000);
      await expect(states()).resolves.toEqual([]);
    } finally {
      temp.remove();
    }
  });
});

describe('/help', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('lists every declared command, and shows one command’s usage', async () => {
    t = await createSignalApp('signal-cli');
    t.sim.phoneSends({ from: OWNER, text: '/help' });
    t.sim.phoneSends({ from: OWNER, text: '/help captcha' });
    t.sim.phoneSends({ from: OWNER, text: '/help /nope' });
    await waitFor(() => t.sim.sent.length === 3, 'three answers');
    expect(sentTexts(t)).toEqual([
      HELP_TEXT,
      '/captcha signalcaptcha://…\nlift a Signal rate limit that asks for a captcha\n\nSolve the captcha at https://signalcaptchas.org/challenge/generate.html, then send /captcha followed by the signalcaptcha://… link it gives you.',
      `I don't know /nope.\n\n${HELP_TEXT}`,
    ]);
  });
});

describe('edited messages', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('are treated as new messages: the corrected text runs', async () => {
    t = await createSignalApp('signal-cli');
    const original = t.sim.phoneSends({ from: OWNER, text: '/hepl' });
    await waitFor(() => t.sim.sent.length === 1, 'the first answer');
    t.sim.phoneSends({ from: OWNER, text: '/help', editOf: original.envelope.timestamp as number });
    await waitFor(() => t.sim.sent.length === 2, 'the answer to the edit');
    expect(sentTexts(t)).toEqual([`I don't know /hepl.\n\n${HELP_TEXT}`, HELP_TEXT]);
  });
});

describe('/status while the link is down', () => {
  it('shows the state, the attempt and that it never connected, and waits in the outbox', async () => {
    const app = await createApp({ listen: false }); // nothing listens at SIGNAL_URL
    try {
      await waitFor(
        () => app.app.get(ConnectionSupervisor).state === 'DISCONNECTED',
        'the failed first attempt',
      );
      await app.app.get(CommandDispatcher).handle(ownerMessage('/status', 5));
      const rows: { body: string }[] = await app.app
        .get(DataSource)
        .query(`SELECT body FROM outbox_messages WHERE state = 'pending'`);
      expect(rows.map((r) => r.body)).toEqual([
        'Signal: disconnected, attempt 1, never connected (signal-cli)\nSending: ok; 0 waiting in the outbox\nSessions: 0 active, 0 paused, 0 new\nWaiting for /retry here: 0\nTurns running: 0 of at most 4\nHere: verbosity normal; notifications: approvals and errors, results; quiet: progress.\nSandbox: off (SANDBOX=off)\nApprovals waiting here: none',
      ]);
    } finally {
      await app.close();
    }
  });
});
