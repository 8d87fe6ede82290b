import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessTable } from '../../src/modules/agent/process-table.service';
import { makeTempDir } from '../utils/temp-dir';

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

describe('ProcessTable on this machine', () => {
  const temp = makeTempDir();
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    temp.remove();
  });

  it('tells an agent by its command line from any other process, and signals its group', async () => {
    const table = new ProcessTable();
    const agent = standIn(temp.path, 'claude-orphan');
    const bystander = standIn(temp.path, 'unrelated-worker');
    children.push(agent, bystander);
    expect(table.isAgent(agent.pid as number)).toBe(true);
    expect(table.isAgent(bystander.pid as number)).toBe(false);
    table.signalGroup(agent.pid as number, 'SIGTERM');
    await expect(exited(agent)).resolves.toBe('SIGTERM');
    expect(table.isAgent(agent.pid as number)).toBe(false);
    expect(bystander.exitCode).toBeNull();
  });
});
