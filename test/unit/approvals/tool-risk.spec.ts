import { homedir } from 'node:os';
import { join } from 'node:path';
import { ToolRisk } from '../../../src/modules/approvals/tool-risk';
import { makeTempDir } from '../../utils/temp-dir';
import { testConfig } from '../../utils/test-config';

describe('ToolRisk: which calls only a typed /approve <id> runs', () => {
  const temp = makeTempDir();
  const config = testConfig(temp.path, { APPROVAL_HIGH_RISK_COMMANDS: 'terraform destroy' });
  const project = join(config.sessions.projectRoots[0], 'demo');
  const risk = new ToolRisk(config);
  const assess = (tool: string, input: Record<string, unknown>) =>
    risk.assess(tool, input, project);

  afterAll(() => temp.remove());

  it.each([
    ['Write', { file_path: 'src/app.ts' }, null],
    ['Edit', { file_path: join(project, 'README.md') }, null],
    ['Write', { file_path: '../other/app.ts' }, 'writes outside the project'],
    ['MultiEdit', { file_path: '/etc/hosts' }, 'writes outside the project'],
    ['NotebookEdit', { notebook_path: '../n.ipynb' }, 'writes outside the project'],
    ['Edit', { file_path: '.env' }, 'touches a .env file'],
    ['Read', { file_path: '.env.production' }, 'touches a .env file'],
    ['Read', { file_path: '.env.example' }, null],
    ['Read', { file_path: join(homedir(), '.ssh', 'id_ed25519') }, 'touches ~/.ssh'],
    ['Grep', { pattern: 'key', path: join(homedir(), '.aws') }, 'touches ~/.aws'],
    ['Read', { file_path: config.database.path }, "touches the bridge's data folder"],
    ['Read', { file_path: '/etc/hostname' }, null],
    [
      'Write',
      { file_path: join(config.agent.tempDir, 'scratch.txt') },
      'writes outside the project',
    ],
    ['WebFetch', { url: 'https://example.invalid' }, null],
  ])('%s %j → %j', async (tool, input, expected) => {
    await expect(assess(tool, input)).resolves.toBe(expected);
  });

  it('judges Bash by parsing it, with the configured list and the daemon’s own folders', async () => {
    await expect(assess('Bash', { command: 'terraform destroy -auto-approve' })).resolves.toBe(
      'is on the high-risk list (terraform destroy)',
    );
    await expect(assess('Bash', { command: 'dd if=/dev/zero of=x' })).resolves.toBeNull();
    await expect(assess('Bash', { command: `cp ${config.database.path} .` })).resolves.toBe(
      "touches the bridge's data folder",
    );
    await expect(assess('Bash', { command: `ls ${config.backups.dir}` })).resolves.toBe(
      "touches the bridge's data folder",
    );
    await expect(
      assess('Bash', { command: `echo x > ${join(config.agent.tempDir, 'f')}` }),
    ).resolves.toBeNull();
    await expect(assess('Bash', { command: 'npm test' })).resolves.toBeNull();
  });
});
