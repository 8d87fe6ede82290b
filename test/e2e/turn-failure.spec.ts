import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AgentRun, AgentRunner, TurnRequest } from '../../src/modules/agent';
import { FakeAgentRunner } from '../utils/fake-agent-runner';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

/** The fake agent, except that starting the first turn throws (a spawn that fails, say). */
class FailsFirst extends FakeAgentRunner {
  private failed = false;

  override start(turn: TurnRequest): AgentRun {
    if (!this.failed) {
      this.failed = true;
      throw new Error('spawn EAGAIN');
    }
    return super.start(turn);
  }
}

describe('a turn that throws', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it('answers the phone, keeps the prompt, and /retry runs it again', async () => {
    const runner = new FailsFirst();
    t = await createSignalApp('signal-cli', {
      override: (b) => b.overrideProvider(AgentRunner).useValue(runner),
    });
    mkdirSync(join(t.dir, 'projects', 'demo'), { recursive: true });
    const states = () =>
      t.app
        .get(DataSource)
        .query(`SELECT state FROM inbound_messages WHERE message LIKE '%fix the login%'`);
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'fix the login' });
    await waitFor(() => t.sim.sent.length === 2, 'the answer');
    expect(t.sim.sent[1].message).toBe(
      'I could not run “fix the login”: something went wrong on my side (the daemon’s log has the details). It is kept: send /retry to run it again.',
    );
    await expect(states()).resolves.toEqual([{ state: 'awaiting-retry' }]);

    t.sim.phoneSends({ from: OWNER, text: '/retry' });
    await waitFor(() => runner.turns.length === 1, 'the prompt to run again');
    expect(runner.turns[0].request.prompt).toBe('fix the login');
    runner.turns[0].finish('Fixed.');
    await waitFor(() => t.sim.sent.some((s) => s.message === 'Fixed.'), 'the result');
    await expect(states()).resolves.toEqual([{ state: 'handled' }]);
  });
});
