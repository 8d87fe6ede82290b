import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ScriptedModelServer } from '../../src/model-sim/scripted-model-server';
import { SignalSimulator } from '../../src/simulator/signal-simulator';
import { phoneTexts, pidAlive, untilAgent } from '../utils/agent-harness';
import { DaemonProcess, spawnDaemon, waitForListening } from '../utils/daemon-process';
import { OWNER } from '../utils/signal-harness';
import { makeTempDir } from '../utils/temp-dir';
import { BOT_ACCOUNT, testEnvironment } from '../utils/test-config';

jest.setTimeout(90_000); // two daemon boots and a real agent turn, on a loaded CI machine

/**
 * The compiled daemon as a real process, driving the real Claude Code CLI, killed with SIGKILL
 * while a tool call waits for the phone: nothing of the dead daemon runs its shutdown, and the
 * agent it spawned is left behind in its own process group.
 */
describe('the daemon killed during a turn with an approval pending', () => {
  const temp = makeTempDir();
  const model = new ScriptedModelServer();
  const sim = new SignalSimulator({ account: BOT_ACCOUNT });
  const home = mkdtempSync(join(tmpdir(), 'csb-agent-home-'));
  const daemons: DaemonProcess[] = [];
  let agentPid: number | undefined;

  afterAll(async () => {
    for (const daemon of daemons) if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
    if (agentPid !== undefined && pidAlive(agentPid)) process.kill(-agentPid, 'SIGKILL');
    await sim.stop();
    await model.stop();
    rmSync(home, { recursive: true, force: true });
    temp.remove();
  });

  const texts = (): string[] => phoneTexts({ sim });
  const database = (): Database.Database =>
    new Database(join(temp.path, 'data', 'bridge.sqlite'), { readonly: true });

  async function startDaemon(environment: Record<string, string>): Promise<DaemonProcess> {
    const daemon = spawnDaemon(environment);
    daemons.push(daemon);
    await waitForListening(daemon);
    return daemon;
  }

  it('restarts with the orphaned agent gone, the approval expired and its question edited, the session PAUSED and the owner told', async () => {
    const modelUrl = await model.start();
    const simUrl = await sim.start();
    mkdirSync(join(home, 'tmp'));
    const environment = {
      ...testEnvironment(temp.path, {
        LOG_LEVEL: 'info', // startDaemon waits for the "listening" line
        SIGNAL_TRANSPORT: 'signal-cli',
        SIGNAL_URL: simUrl,
      }),
      // The agent gets the daemon's own environment: its HOME, key and model server.
      HOME: home,
      ANTHROPIC_BASE_URL: modelUrl,
      ANTHROPIC_API_KEY: 'sk-test-not-a-real-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    } as Record<string, string>;
    mkdirSync(join(temp.path, 'projects', 'demo'));
    model.reply({ tools: [{ name: 'Bash', input: { command: 'npm test' } }] });

    const first = await startDaemon(environment);
    await untilAgent(() => sim.connectedStreams === 1, 'the daemon to connect');
    sim.phoneSends({ from: OWNER, text: '/new demo run the tests' });
    await untilAgent(() => texts().some((m) => m.startsWith('Approval 1 ')), 'the approval');
    // Killed before it records Signal's answer, the daemon would send the question again (at
    // least once): wait until the question counts as sent, so this test is about the agent.
    await untilAgent(() => {
      const db = database();
      try {
        const sent = db
          .prepare(
            `SELECT count(*) FROM outbox_messages WHERE kind = 'approval' AND state = 'sent'`,
          )
          .pluck()
          .get();
        return sent === 1;
      } finally {
        db.close();
      }
    }, 'the question recorded as sent');
    const before = database();
    try {
      agentPid = before.prepare('SELECT agent_pid FROM sessions').pluck().get() as number;
    } finally {
      before.close();
    }
    expect(pidAlive(agentPid)).toBe(true);

    first.child.kill('SIGKILL');
    await expect(first.exited).resolves.toBe('SIGKILL');
    await untilAgent(() => sim.connectedStreams === 0, 'the dead daemon’s stream to close');
    const sentBeforeRestart = sim.sent.length;

    await startDaemon(environment);
    await untilAgent(() => sim.sent.length >= sentBeforeRestart + 2, 'the notices');
    await untilAgent(() => !pidAlive(agentPid as number), 'the orphaned agent to be stopped');

    const notices = sim.sent.slice(sentBeforeRestart);
    const question = sim.sent.find((s) => s.message.startsWith('Approval 1 '));
    expect(notices.map((s) => [s.editTimestamp === question?.timestamp, s.message])).toEqual([
      [
        false,
        'I restarted while your session in demo was active, so it is paused now. Send /resume to continue it.',
      ],
      [
        true,
        'Approval 1 — Bash in demo\nRun: npm test\n⚠️ No sandbox: it runs with your full access.\n⌛ Expired: the daemon restarted; denied.',
      ],
    ]);
    const after = database();
    try {
      expect(after.prepare('SELECT status, agent_pid, recovered_at FROM sessions').get()).toEqual({
        status: 'PAUSED',
        agent_pid: null,
        recovered_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(after.prepare('SELECT state, reason FROM approvals').all()).toEqual([
        { state: 'expired', reason: 'the daemon restarted' },
      ]);
      expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      after.close();
    }
  });
});
