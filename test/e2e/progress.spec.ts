import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TurnService } from '../../src/modules/agent';
import { AgentTestApp, createAgentApp, isProgress, untilAgent } from '../utils/agent-harness';
import { runClockUntil } from '../utils/outbox-driver';
import { OWNER } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

jest.setTimeout(60_000); // the real CLI starts in about a second, on a loaded CI machine slower

const TOOL_CALLS = 40;
/** Signal's pace as the daemon is configured by default: 30 a minute, bursts of 5. */
const DEFAULT_PACE = { RATE_LIMIT_PER_MINUTE: '30', RATE_LIMIT_BURST: '5' };

/**
 * One scripted turn of 40 tool calls with the real Claude Code CLI, at each verbosity, at the
 * daemon's default sending pace: what reaches the phone.
 */
describe('a 40-tool-call turn on the phone (real Claude Code CLI)', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  async function fortyCalls(verbosity: string): Promise<AgentTestApp['sim']['sent']> {
    t = await createAgentApp({ env: DEFAULT_PACE });
    writeFileSync(join(t.project, 'notes.txt'), 'a note\n');
    const read = { name: 'Read', input: { file_path: join(t.project, 'notes.txt') } };
    t.model.reply(...Array.from({ length: TOOL_CALLS }, () => ({ tools: [read] })), {
      text: 'Read it forty times.',
    });
    t.sim.phoneSends({ from: OWNER, text: `/verbosity ${verbosity}` });
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    await waitFor(() => t.sim.sent.length === 2, 'the session');
    t.sim.phoneSends({ from: OWNER, text: 'read the notes forty times' });
    const done = (): boolean =>
      t.sim.sent.some((s) => s.message.startsWith('Read it forty times.')) &&
      (verbosity !== 'normal' || t.sim.sent.some((s) => s.message.startsWith('✔ Finished')));
    // The agent runs in real time; then the daemon's sending pace runs on the fake clock.
    await untilAgent(
      () =>
        t.model.mainRequests.length === TOOL_CALLS + 1 && t.app.get(TurnService).runningCount === 0,
      'the turn to end',
    );
    await runClockUntil(t, done);
    return t.sim.sent.slice(2);
  }

  it('quiet: exactly one message, the result', async () => {
    const sent = await fortyCalls('quiet');
    expect(sent.map((s) => s.message.split('\n')[0])).toEqual(['Read it forty times.']);
  });

  it('normal: one progress message, its edits never closer together than 5 s, and the result', async () => {
    const sent = await fortyCalls('normal');
    const progress = sent.filter((s) => isProgress(s.message));
    const [first, ...edits] = progress;
    expect(first.editTimestamp).toBeNull();
    expect(edits.length).toBeGreaterThan(0);
    expect(edits.every((e) => e.editTimestamp === first.timestamp)).toBe(true);
    // When each version reached Signal (timestamps are ids, bumped to stay unique: not times).
    const reached = t.sim.requests
      .filter((r) => r.path === 'rpc:send')
      .filter((r) => isProgress(String((r.body as { params: { message: string } }).params.message)))
      .map((r) => r.at);
    expect(reached).toHaveLength(progress.length);
    for (let i = 1; i < reached.length; i++) {
      expect(reached[i] - reached[i - 1]).toBeGreaterThanOrEqual(5000);
    }
    expect(edits.at(-1)?.message.split('\n')[0]).toMatch(/^✔ Finished in demo: 40 steps, /);
    const messages = sent.filter((s) => s.editTimestamp === null);
    expect(messages.map((s) => s.message.split('\n')[0])).toEqual([
      first.message.split('\n')[0],
      'Read it forty times.',
    ]);
  });

  it('verbose: a message per tool call and the result, all delivered, within the rate limit', async () => {
    const sent = await fortyCalls('verbose');
    expect(sent.map((s) => s.message.split('\n')[0])).toEqual([
      ...Array.from({ length: TOOL_CALLS }, () => '🔧 Read notes.txt'), // relative to the project
      'Read it forty times.',
    ]);
    // Within the limit: no minute holds more than 30 sends plus the burst of 5.
    const times = sent.map((s) => s.timestamp);
    times.forEach((at) => {
      expect(
        times.filter((other) => other >= at && other < at + 60_000).length,
      ).toBeLessThanOrEqual(35);
    });
  });
});
