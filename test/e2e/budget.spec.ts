import { DataSource } from 'typeorm';
import { FakeClock } from '../../src/common/clock';
import { createFakeAgentApp, FakeAgentRunner } from '../utils/fake-agent-runner';
import { OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

const texts = (t: SignalTestApp) =>
  t.sim.sent.filter((s) => s.editTimestamp === null).map((s) => s.message);
/** What a turn reports: Claude Code's total so far in its conversation (it carries on on resume). */
const reported = (costUsd: number) => ({ durationMs: 1000, numTurns: 1, costUsd });

describe('DAILY_BUDGET_USD', () => {
  let t: SignalTestApp;
  let runner: FakeAgentRunner;
  afterEach(() => t.close());

  it('counts each turn once, refuses a prompt at the cap while approvals and /stop still work, and rolls over at local midnight', async () => {
    const clock = new FakeClock(new Date(2026, 0, 1, 21, 0, 0)); // 21:00 in the process's TZ
    ({ t, runner } = await createFakeAgentApp({
      clock,
      env: { DAILY_BUDGET_USD: '1.00', RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' },
    }));
    const said = (text: string) => waitFor(() => texts(t).includes(text), `“${text}”`);
    t.sim.phoneSends({ from: OWNER, text: '/new demo first' });
    await waitFor(() => runner.turns.length === 1, 'the first turn');
    t.sim.phoneSends({ from: OWNER, text: 'second' });
    await said('Queued: 1 ahead.');
    runner.turns[0].finish('First done.', reported(0.6));
    await waitFor(() => runner.turns.length === 2, 'the second turn');
    t.sim.phoneSends({ from: OWNER, text: 'third' }); // admitted: 0.6 of 1.00 spent
    await waitFor(() => texts(t).filter((m) => m === 'Queued: 1 ahead.').length === 2, 'queued');
    // The second turn resumed its conversation: Claude Code reports 1.05 in all, 0.45 of it new.
    runner.turns[1].finish('Second done.', reported(1.05));
    await waitFor(() => runner.turns.length === 3, 'the third turn');
    const costs: { cost_usd: number }[] = await t.app
      .get(DataSource)
      .query('SELECT cost_usd FROM turn_usage ORDER BY id');
    expect(costs.map((c) => c.cost_usd)).toEqual([0.6, 0.45]);

    // At the cap: a running turn's approval and /stop still answer; a new prompt is refused.
    const approval = runner.turns[2].ask('Bash', { command: 'npm test' });
    await waitFor(() => texts(t).some((m) => m.startsWith('Approval 1 ')), 'the question');
    t.sim.phoneSends({ from: OWNER, text: '/approve' });
    await expect(approval).resolves.toMatchObject({ behavior: 'allow' });
    t.sim.phoneSends({ from: OWNER, text: 'fourth' });
    await said(
      "Today's budget is spent: $1.05 of $1.00 (DAILY_BUDGET_USD). It resets at midnight, in 3 h; raise DAILY_BUDGET_USD to go on now. Approvals and /stop still work.",
    );
    t.sim.phoneSends({ from: OWNER, text: '/usage' });
    await waitFor(() => texts(t).at(-1)?.startsWith('This session') === true, 'the usage');
    expect(texts(t).at(-1)).toContain(
      '\nBudget today (DAILY_BUDGET_USD): $1.05 of $1.00 spent, $0.0000 left; it resets at midnight.',
    );
    t.sim.phoneSends({ from: OWNER, text: '/stop' });
    await said('Stopped: the turn was interrupted.');
    expect(runner.turns).toHaveLength(3); // "fourth" never ran

    await clock.advance(3 * 3_600_000); // local midnight: a new day, a new budget
    t.sim.phoneSends({ from: OWNER, text: 'fifth' });
    await waitFor(() => runner.turns.length === 4, 'the next day’s turn');
    expect(runner.turns[3].request.prompt).toBe('fifth');
    runner.turns[3].finish('Fifth done.', reported(1.2));
  });
});
