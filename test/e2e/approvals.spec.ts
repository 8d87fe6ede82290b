import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TurnService } from '../../src/modules/agent';
import { ApprovalsService } from '../../src/modules/approvals';
import { OutboxService } from '../../src/modules/outbox';
import { SessionsService } from '../../src/modules/sessions';
import {
  AgentTestApp,
  createAgentApp,
  isProgress,
  untilAgent,
  phoneTexts,
} from '../utils/agent-harness';
import { createFakeAgentApp } from '../utils/fake-agent-runner';
import { runClockUntil } from '../utils/outbox-driver';
import { OWNER, SignalTestApp, STRANGER } from '../utils/signal-harness';
import { BOT_ACCOUNT } from '../utils/test-config';
import { waitFor } from '../utils/wait-for';

const texts = phoneTexts;
const CONVERSATION = `dm:${OWNER.uuid}`;
/** The Signal timestamp of the question of approval `id`. */
const question = (t: AgentTestApp, id: number) =>
  t.sim.sent.find((s) => s.message.startsWith(`Approval ${id} `))?.timestamp as number;
const bash = (command: string) => ({ name: 'Bash', input: { command } });

jest.setTimeout(60_000); // the real CLI starts in about a second, on a loaded CI machine slower

describe('answering approvals from the phone (real Claude Code CLI)', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  it('three tool calls in one reply and /approve all: all three run, nothing more is asked that turn', async () => {
    t = await createAgentApp();
    t.model.reply(
      { tools: [bash('touch a'), bash('touch b'), bash('touch c')] },
      { tools: [bash('touch d')] },
      { text: 'Made four files.' },
    );
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'make files' });
    await untilAgent(() => texts(t).length === 2, 'the first approval');
    t.sim.phoneSends({ from: OWNER, text: '/approve all' });
    await untilAgent(() => texts(t).includes('Made four files.'), 'the result');
    expect(texts(t).filter((m) => m.startsWith('Approval '))).toHaveLength(1);
    expect(texts(t)[2]).toBe('Approved 1.');
    for (const f of ['a', 'b', 'c', 'd']) expect(existsSync(join(t.project, f))).toBe(true);
  });

  it('/always for "npm test": npm test then runs unasked, while rm -rf build still asks (and is high risk)', async () => {
    t = await createAgentApp();
    t.model.reply({ tools: [bash('npm test')] }, { text: 'first done' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'run the tests' });
    await untilAgent(() => texts(t).length === 2, 'the approval');
    t.sim.phoneSends({ from: OWNER, text: '/always' });
    await untilAgent(() => texts(t).includes('first done'), 'the first turn');
    expect(texts(t)[2]).toBe('Approved 1. From now on this session allows Bash(npm test *).');
    t.model.reply({ tools: [bash('npm test')] }, { tools: [bash('rm -rf build')] });
    t.sim.phoneSends({ from: OWNER, text: 'again, then clean' });
    await untilAgent(
      () => texts(t).some((m) => m.startsWith('Approval 2 ')),
      'the second approval',
    );
    expect(texts(t).at(-1)).toBe(
      'Approval 2 — Bash in demo\nRun: rm -rf build\n🔒 Sandboxed: it can write only inside demo and reach no network.\n⚠️ High risk (deletes a folder recursively): only /approve 2 typed out approves this.\nAnswer /approve 2 or /reject 2 [reason].',
    );
    t.sim.phoneSends({ from: OWNER, text: '/reject' });
    await untilAgent(() => texts(t).includes('Rejected 2.'), 'the rejection');
  });

  it('a "yes" quoting the question approves it, a 👍 on it too, and each question then reads as approved', async () => {
    t = await createAgentApp();
    t.model.reply(
      { tools: [bash('touch one')] },
      { tools: [bash('touch two')] },
      { text: 'Both done.' },
    );
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'make two files' });
    await untilAgent(() => question(t, 1) !== undefined, 'the first question');
    t.sim.phoneSends({
      from: OWNER,
      text: 'yes',
      quote: { timestamp: question(t, 1), author: BOT_ACCOUNT },
    });
    await untilAgent(() => question(t, 2) !== undefined, 'the second question');
    t.sim.phoneReacts({
      from: STRANGER, // not an owner: does nothing
      emoji: '👍',
      targetTimestamp: question(t, 2),
      targetAuthor: BOT_ACCOUNT,
    });
    t.sim.phoneReacts({
      from: OWNER,
      emoji: '👍',
      targetTimestamp: question(t, 2),
      targetAuthor: BOT_ACCOUNT,
    });
    await untilAgent(() => texts(t).includes('Both done.'), 'the result');
    expect(texts(t).filter((m) => m.startsWith('Approved'))).toEqual([
      'Approved 1.',
      'Approved 2.',
    ]);
    await expect(t.inbound('unauthorized')).resolves.toBe(1);
    await untilAgent(
      () =>
        t.sim.sent.filter((s) => s.editTimestamp !== null && !isProgress(s.message)).length === 2,
      'both questions edited',
    );
    const edited = t.sim.sent.filter((s) => s.editTimestamp !== null && !isProgress(s.message));
    expect(edited.map((s) => s.editTimestamp)).toEqual([question(t, 1), question(t, 2)]);
    expect(edited.map((s) => s.message.split('\n').at(-1))).toEqual([
      '✅ Approved.',
      '✅ Approved.',
    ]);
  });

  it('rm -rf build is not approved by /approve all or 👍, only by /approve <id>', async () => {
    t = await createAgentApp();
    t.model.reply({ tools: [bash('rm -rf build')] }, { text: 'Cleaned.' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'clean up' });
    await untilAgent(() => question(t, 1) !== undefined, 'the question');
    t.sim.phoneSends({ from: OWNER, text: '/approve all' });
    t.sim.phoneReacts({
      from: OWNER,
      emoji: '👍',
      targetTimestamp: question(t, 1),
      targetAuthor: BOT_ACCOUNT,
    });
    t.sim.phoneSends({ from: OWNER, text: '/approve' });
    await untilAgent(() => texts(t).length === 5, 'three refusals');
    const refusal = 'Approval 1 is high risk: only /approve 1 typed out approves it.';
    expect(texts(t).slice(2)).toEqual([refusal, refusal, refusal]);
    t.sim.phoneSends({ from: OWNER, text: '/approve 1' });
    await untilAgent(() => texts(t).includes('Cleaned.'), 'the result');
    expect(texts(t)[5]).toBe('Approved 1.');
  });
});

describe('an approval settled before Signal took its question', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('sends the question once Signal answers, then edits it to show the outcome', async () => {
    const { t: app, runner } = await createFakeAgentApp();
    t = app;
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'run the tests' });
    await waitFor(() => runner.turns.length === 1 && t.sim.sent.length === 1, 'the turn');
    t.sim.delayResponses(30_000); // Signal is slow to take the next message
    const answer = runner.turns[0].ask('Bash', { command: 'npm test' });
    await waitFor(
      () => t.app.get(ApprovalsService).pendingIn(CONVERSATION).length === 1,
      'the question in the outbox',
    );
    expect(t.sim.sent).toHaveLength(1);
    // The turn is stopped while the question is still on its way.
    const stopped = t.app
      .get(TurnService)
      .stop(t.app.get(SessionsService).current(CONVERSATION)!.id);
    await expect(answer).resolves.toEqual({
      behavior: 'deny',
      message: 'The turn was stopped.',
      interrupt: true,
    });
    t.sim.delayResponses(0);
    await t.clock.advance(30_000);
    await stopped;
    await waitFor(() => t.sim.sent.length === 4, 'the question, the stop and the edit');
    const asked = t.sim.sent[1];
    expect(asked.message).toMatch(
      /^Approval 1 — Bash in demo\nRun: npm test\n⚠️ No sandbox: it runs with your full access\.\nAnswer /,
    );
    expect(t.sim.sent.slice(2).map((s) => [s.editTimestamp, s.message])).toEqual(
      expect.arrayContaining([
        [null, 'Stopped: the turn was interrupted.'],
        [
          asked.timestamp,
          'Approval 1 — Bash in demo\nRun: npm test\n⚠️ No sandbox: it runs with your full access.\n⏹ Withdrawn: the turn ended.',
        ],
      ]),
    );
  });
});

describe('a question its turn left open', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('is withdrawn when the turn ends: the agent gets its answer and the question says so', async () => {
    const { t: app, runner } = await createFakeAgentApp();
    t = app;
    t.sim.phoneSends({ from: OWNER, text: '/new demo run the tests' });
    await waitFor(() => runner.turns.length === 1 && t.sim.sent.length === 1, 'the turn');
    const answer = runner.turns[0].ask('Bash', { command: 'npm test' });
    await waitFor(() => t.sim.sent.length === 2, 'the question');
    runner.turns[0].finish('Finished without it.');
    await expect(answer).resolves.toEqual({
      behavior: 'deny',
      message: 'The turn was stopped.',
      interrupt: true,
    });
    await waitFor(() => t.sim.sent.length === 4, 'the result and the edit');
    expect(t.app.get(ApprovalsService).pendingIn(CONVERSATION)).toEqual([]);
    expect(t.sim.sent.slice(2).map((s) => [s.editTimestamp, s.message])).toEqual(
      expect.arrayContaining([
        [null, 'Finished without it.'],
        [
          t.sim.sent[1].timestamp,
          'Approval 1 — Bash in demo\nRun: npm test\n⚠️ No sandbox: it runs with your full access.\n⏹ Withdrawn: the turn ended.',
        ],
      ]),
    );
  });
});

describe('an approval behind a backlog (real Claude Code CLI)', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  it('an approval raised while 200 progress updates wait in the outbox reaches the phone first', async () => {
    t = await createAgentApp();
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    await untilAgent(() => t.sim.sent.length === 1, 'the session');
    t.sim.delayResponses(20_000); // Signal is slow (within the send timeout): the outbox backs up
    const outbox = t.app.get(OutboxService);
    const to = { kind: 'dm', peer: OWNER.uuid } as const;
    for (let i = 1; i <= 200; i++) outbox.enqueue({ to, body: `step ${i}`, kind: 'progress' });
    t.model.reply({ tools: [bash('npm test')] });
    t.sim.phoneSends({ from: OWNER, text: 'run the tests' });
    await untilAgent(
      () => t.app.get(ApprovalsService).pendingIn(CONVERSATION).length === 1,
      'the question in the outbox',
    );
    t.sim.delayResponses(0);
    await t.clock.advance(20_000); // the update on its way gets its answer
    await runClockUntil(t, () => outbox.depth() === 0);
    const sent = t.sim.sent.slice(1).map((s) => s.message.split('\n')[0]);
    // Ahead of all 200, but the one update that may already have been on its way to Signal.
    expect(sent.indexOf('Approval 1 — Bash in demo')).toBeLessThanOrEqual(1);
    expect(sent.slice(0, 2)).toContain('Approval 1 — Bash in demo');
    expect(sent.filter((m) => m.startsWith('step '))).toEqual(
      Array.from({ length: 200 }, (_, i) => `step ${i + 1}`),
    );
  });
});
