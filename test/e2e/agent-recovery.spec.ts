import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FakeClock } from '../../src/common/clock';
import { ProcessTable } from '../../src/modules/agent/process-table.service';
import { SessionsService } from '../../src/modules/sessions';
import { createApp } from '../utils/create-app';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { makeTempDir } from '../utils/temp-dir';
import { waitFor } from '../utils/wait-for';

const AGENT_PID = 424_242;
const BYSTANDER_PID = 434_343;

/** The machine's processes, made up: which pids are agents, and every signal sent. */
class FakeProcesses extends ProcessTable {
  readonly agents = new Set<number>([AGENT_PID]);
  readonly signals: [number, NodeJS.Signals][] = [];
  /** Whether an agent obeys SIGTERM (else only SIGKILL ends it). */
  obeysSigterm = false;

  override isAgent(pid: number): boolean {
    return this.agents.has(pid);
  }

  override signalGroup(pid: number, name: NodeJS.Signals): void {
    this.signals.push([pid, name]);
    if (name === 'SIGKILL' || this.obeysSigterm) this.agents.delete(pid);
  }
}

describe('crash recovery of agent turns', () => {
  let t: SignalTestApp | undefined;
  const temp = makeTempDir();
  afterAll(async () => {
    await t?.close();
    temp.remove();
  });

  it('kills the orphaned agent by its recorded pid (only an agent: SIGTERM, SIGKILL after the grace), expires its approval, pauses the session and tells the owner', async () => {
    const clock = new FakeClock();
    const processes = new FakeProcesses();
    // The previous daemon: a turn running (pid recorded) with an approval pending, then it died.
    const before = await createApp({ dir: temp.path, clock, listen: false });
    mkdirSync(join(temp.path, 'projects', 'demo'));
    const sessions = before.app.get(SessionsService);
    const running = await sessions.create({ conversationId: `dm:${OWNER.uuid}`, project: 'demo' });
    await sessions.transition(running.id, 'ACTIVE');
    sessions.setAgentPid(running.id, AGENT_PID);
    const other = await sessions.create({ conversationId: 'dm:someone-else', project: 'demo' });
    sessions.setAgentPid(other.id, BYSTANDER_PID); // reused by an unrelated process
    await before.app.get(DataSource).query(
      `INSERT INTO approvals (session_id, conversation_key, turn_key, tool_name, input, state, created_at)
         VALUES (?, ?, 't', 'Bash', '{"command":"rm -rf build"}', 'pending', ?)`,
      [running.id, `dm:${OWNER.uuid}`, clock.nowIso()],
    );
    await before.close();

    t = await createSignalApp('signal-cli', {
      dir: temp.path,
      clock,
      override: (b) => b.overrideProvider(ProcessTable).useValue(processes),
    });
    expect(processes.signals).toEqual([[AGENT_PID, 'SIGTERM']]);
    await clock.advance(4999); // AGENT_STOP_GRACE_SECONDS: 5
    expect(processes.signals).toEqual([[AGENT_PID, 'SIGTERM']]);
    await clock.advance(1);
    expect(processes.signals).toEqual([
      [AGENT_PID, 'SIGTERM'],
      [AGENT_PID, 'SIGKILL'],
    ]);
    const after = t.app.get(SessionsService);
    await expect(after.get(running.id)).resolves.toMatchObject({
      status: 'PAUSED',
      agentPid: null,
    });
    await expect(after.get(other.id)).resolves.toMatchObject({ agentPid: null });
    const approvals: { state: string; reason: string }[] = await t.app
      .get(DataSource)
      .query(`SELECT state, reason FROM approvals`);
    expect(approvals).toEqual([{ state: 'expired', reason: 'the daemon restarted' }]);
    await waitFor(() => t?.sim.sent.length === 1, 'the notice');
    expect(t.sim.sent.map((s) => s.message)).toEqual([
      'I restarted while your session in demo was active, so it is paused now. Send /resume to continue it.',
    ]);
  });

  it('an orphan that obeys SIGTERM gets no SIGKILL', async () => {
    await t?.close();
    const dir = makeTempDir();
    const clock = new FakeClock();
    const processes = new FakeProcesses();
    processes.obeysSigterm = true;
    const before = await createApp({ dir: dir.path, clock, listen: false });
    mkdirSync(join(dir.path, 'projects', 'demo'));
    const sessions = before.app.get(SessionsService);
    const running = await sessions.create({ conversationId: `dm:${OWNER.uuid}`, project: 'demo' });
    await sessions.transition(running.id, 'ACTIVE');
    sessions.setAgentPid(running.id, AGENT_PID);
    await before.close();

    t = await createSignalApp('signal-cli', {
      dir: dir.path,
      clock,
      override: (b) => b.overrideProvider(ProcessTable).useValue(processes),
    });
    await clock.advance(60_000);
    expect(processes.signals).toEqual([[AGENT_PID, 'SIGTERM']]);
    await t.close();
    t = undefined;
    dir.remove();
  });
});
