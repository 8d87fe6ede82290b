import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FakeClock } from '../../src/common/clock';
import { SessionsService } from '../../src/modules/sessions';
import { createApp } from '../utils/create-app';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { makeTempDir } from '../utils/temp-dir';
import { waitFor } from '../utils/wait-for';

/** A long-running process whose command line does (or does not) name Claude Code. */
function standIn(dir: string, name: string): ChildProcess {
  const script = join(dir, `${name}.js`);
  writeFileSync(script, 'setInterval(() => {}, 1000);\n');
  return spawn(process.execPath, [script], { detached: true, stdio: 'ignore' });
}

function exited(child: ChildProcess): Promise<string | number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
    else child.once('exit', (code, signal) => resolve(signal ?? code));
  });
}

describe('crash recovery of agent turns', () => {
  let t: SignalTestApp | undefined;
  const temp = makeTempDir();
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await t?.close();
    temp.remove();
  });

  it('kills the orphaned agent by its recorded pid (only an agent), expires its approval, pauses the session and tells the owner', async () => {
    const clock = new FakeClock();
    const orphan = standIn(temp.path, 'claude-orphan');
    const bystander = standIn(temp.path, 'unrelated-worker');
    children.push(orphan, bystander);
    // The previous daemon: a turn running (pid recorded) with an approval pending, then it died.
    const before = await createApp({ dir: temp.path, clock, listen: false });
    mkdirSync(join(temp.path, 'projects', 'demo'));
    const sessions = before.app.get(SessionsService);
    const running = await sessions.create({ conversationId: `dm:${OWNER.uuid}`, project: 'demo' });
    await sessions.transition(running.id, 'ACTIVE');
    sessions.setAgentPid(running.id, orphan.pid as number);
    const other = await sessions.create({ conversationId: 'dm:someone-else', project: 'demo' });
    sessions.setAgentPid(other.id, bystander.pid as number); // reused by an unrelated process
    await before.app.get(DataSource).query(
      `INSERT INTO approvals (session_id, conversation_key, turn_key, tool_name, input, state, created_at)
         VALUES (?, ?, 't', 'Bash', '{"command":"rm -rf build"}', 'pending', ?)`,
      [running.id, `dm:${OWNER.uuid}`, clock.nowIso()],
    );
    await before.close();

    t = await createSignalApp('signal-cli', { dir: temp.path, clock });
    await expect(exited(orphan)).resolves.toBe('SIGTERM');
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
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
});
