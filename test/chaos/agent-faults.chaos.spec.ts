import { join } from 'node:path';
import { AgentEnvironment } from '../../src/modules/agent';
import { SessionsService } from '../../src/modules/sessions';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { agentFailures, untilAgent, phoneTexts, pidAlive } from '../utils/agent-harness';
import { mkdirSync } from 'node:fs';

const FAKE = join(__dirname, '..', 'fixtures', 'agent', 'fake-claude.js');
const texts = phoneTexts;

/** The daemon with a fake agent (same protocol as Claude Code) that misbehaves as told. */
async function withFakeAgent(mode: string): Promise<SignalTestApp> {
  const t = await createSignalApp('signal-cli', {
    env: { AGENT_EXECUTABLE: FAKE, RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '10000' },
    override: (b) =>
      b
        .overrideProvider(AgentEnvironment)
        .useValue({ variables: () => ({ PATH: process.env.PATH, FAKE_AGENT: mode }) }),
  });
  mkdirSync(join(t.dir, 'projects', 'demo'));
  t.sim.phoneSends({ from: OWNER, text: '/new demo' });
  await untilAgent(() => t.sim.sent.length === 1, 'the session');
  return t;
}

async function session(t: SignalTestApp) {
  const [current] = await t.app.get(SessionsService).list({ conversationId: `dm:${OWNER.uuid}` });
  return current;
}

describe('agent faults the real CLI cannot be made to show (fake agent)', () => {
  let t: SignalTestApp;
  afterEach(() => t.close());

  it.each([
    ['huge', 'Survived a 1 MB line.'],
    ['garbage', 'Survived the garbage.'],
  ])('%s output on stdout: the turn still ends with its answer', async (mode, answer) => {
    t = await withFakeAgent(mode);
    t.sim.phoneSends({ from: OWNER, text: 'go' });
    await untilAgent(() => texts(t).length === 2, 'the answer');
    expect(texts(t)[1]).toBe(answer);
  });

  it('a crash mid-turn is reported once, leaves no process, and the session takes the next prompt', async () => {
    t = await withFakeAgent('crash');
    t.sim.phoneSends({ from: OWNER, text: 'go' });
    await untilAgent(() => texts(t).length === 2, 'the report');
    expect(texts(t)[1]).toBe(
      'Claude Code stopped unexpectedly: Claude Code process exited with code 3',
    );
    await expect(session(t)).resolves.toMatchObject({ status: 'ACTIVE', agentPid: null });
    t.sim.phoneSends({ from: OWNER, text: 'again' });
    await untilAgent(() => texts(t).length === 3, 'the second report');
    await expect(agentFailures(t)).resolves.toEqual({ crash: 2 });
  });

  it('a hang: stopped after the idle limit (fake clock), SIGTERM after the grace period, reported once, no orphan', async () => {
    t = await withFakeAgent('hang');
    t.sim.phoneSends({ from: OWNER, text: 'go' });
    await untilAgent(async () => (await session(t)).agentPid !== null, 'the agent to start');
    const pid = (await session(t)).agentPid as number;
    await t.clock.advance(300_000); // AGENT_IDLE_TIMEOUT_SECONDS: interrupt, which it ignores
    expect(pidAlive(pid)).toBe(true);
    await t.clock.advance(5000); // AGENT_STOP_GRACE_SECONDS: SIGTERM to its process group
    await untilAgent(() => texts(t).length === 2, 'the report');
    expect(texts(t)[1]).toBe('Stopped: Claude Code sent nothing for 300 s.');
    await expect(agentFailures(t)).resolves.toEqual({ silent: 1 });
    expect(pidAlive(pid)).toBe(false);
    await expect(session(t)).resolves.toMatchObject({ status: 'ACTIVE', agentPid: null });
  });
});
