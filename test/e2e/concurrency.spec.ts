import { TurnService } from '../../src/modules/agent';
import { SessionsService } from '../../src/modules/sessions';
import { createFakeAgentApp, FakeAgentRunner } from '../utils/fake-agent-runner';
import { OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

describe('AGENT_MAX_CONCURRENT_TURNS', () => {
  let t: SignalTestApp;
  let runner: FakeAgentRunner;
  afterEach(() => t.close());

  const open = () => runner.turns.filter((turn) => !turn.finished && !turn.interrupted);

  it('five sessions at once with a cap of 2: never more than two run, each is told where it waits, all five finish', async () => {
    ({ t, runner } = await createFakeAgentApp({ env: { AGENT_MAX_CONCURRENT_TURNS: '2' } }));
    const sessions = t.app.get(SessionsService);
    const turns = t.app.get(TurnService);
    const told: (string | undefined)[] = [];
    for (let i = 1; i <= 5; i++) {
      const session = await sessions.create({ conversationId: `dm:user-${i}`, project: 'demo' });
      await sessions.transition(session.id, 'ACTIVE');
      told.push(turns.submit(session.id, { kind: 'dm', peer: `user-${i}` }, `prompt ${i}`));
    }
    expect(told).toEqual([
      undefined,
      undefined,
      'Waiting: 2 turns are running (next to start).',
      'Waiting: 2 turns are running (1 ahead).',
      'Waiting: 2 turns are running (2 ahead).',
    ]);
    for (let done = 0; done < 5; done++) {
      await waitFor(() => open().length === Math.min(2, 5 - done), `turn ${done + 1} to run`);
      // Started so far: the finished ones and the two in the slots, never a third.
      expect(runner.turns).toHaveLength(Math.min(5, done + 2));
      open()[0].finish(`done ${done + 1}`);
    }
    await waitFor(() => turns.runningCount === 0, 'every turn to end');
    // First come, first served.
    expect(runner.turns.map((turn) => turn.request.prompt)).toEqual([
      'prompt 1',
      'prompt 2',
      'prompt 3',
      'prompt 4',
      'prompt 5',
    ]);
  });

  it('/stop drops a prompt waiting for a slot; /status shows the cap and who waits', async () => {
    ({ t, runner } = await createFakeAgentApp({ env: { AGENT_MAX_CONCURRENT_TURNS: '1' } }));
    const sessions = t.app.get(SessionsService);
    const busy = await sessions.create({ conversationId: 'dm:someone-else', project: 'demo' });
    await sessions.transition(busy.id, 'ACTIVE');
    t.app.get(TurnService).submit(busy.id, { kind: 'dm', peer: 'someone-else' }, 'busy work');
    await waitFor(() => runner.turns.length === 1, 'the other turn');
    t.sim.phoneSends({ from: OWNER, text: '/new demo fix the login' });
    await waitFor(() => t.sim.sent.length === 1, 'the answer to /new');
    expect(t.sim.sent[0].message).toBe(
      'Started a session in demo. Waiting: 1 turn is running (next to start).',
    );
    t.sim.phoneSends({ from: OWNER, text: '/status' });
    await waitFor(() => t.sim.sent.length === 2, 'the status');
    t.sim.phoneSends({ from: OWNER, text: '/stop' });
    await waitFor(() => t.sim.sent.length === 3, 'the answer to /stop');
    expect(t.sim.sent[1].message).toContain(
      '\nTurns running: 1 of at most 1, 1 waiting for a slot\n',
    );
    expect(t.sim.sent[2].message).toBe(
      'Dropped the prompt that was waiting for a free slot: send it again when you want it.',
    );
    runner.turns[0].finish('busy done');
    await waitFor(() => t.app.get(TurnService).runningCount === 0, 'the other turn to end');
    expect(runner.turns).toHaveLength(1); // the dropped prompt never ran
  });
});

describe('AGENT_MAX_BUDGET_USD and AGENT_MAX_TURNS', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('reach the agent with every turn, and a turn stopped at its cap says so plainly', async () => {
    const { t: app, runner } = await createFakeAgentApp({
      env: { AGENT_MAX_BUDGET_USD: '0.50', AGENT_MAX_TURNS: '20' },
    });
    t = app;
    t.sim.phoneSends({ from: OWNER, text: '/new demo refactor everything' });
    await waitFor(() => runner.turns.length === 1, 'the turn');
    expect(runner.turns[0].request).toMatchObject({ maxBudgetUsd: 0.5, maxTurns: 20 });
    runner.turns[0].fail('error_max_budget_usd', 0.5123);
    await waitFor(() => t.sim.sent.length === 2, 'the end of the turn');
    expect(t.sim.sent[1].message).toBe(
      'Stopped: the turn reached its cost budget after $0.5123 (AGENT_MAX_BUDGET_USD). Send a prompt to go on from here.',
    );
  });

  it('are unset by default: Claude Code applies its own limits', async () => {
    const { t: app, runner } = await createFakeAgentApp();
    t = app;
    t.sim.phoneSends({ from: OWNER, text: '/new demo go' });
    await waitFor(() => runner.turns.length === 1, 'the turn');
    expect(runner.turns[0].request.maxBudgetUsd).toBeUndefined();
    expect(runner.turns[0].request.maxTurns).toBeUndefined();
  });
});
