import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentTestApp, createAgentApp, phoneTexts, untilAgent } from '../utils/agent-harness';
import { OWNER } from '../utils/signal-harness';

jest.setTimeout(60_000); // the real CLI starts in about a second, on a loaded CI machine slower

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8' });

/** A turn (in /mode edits, so nothing is asked) that edits app.ts and creates new.ts. */
async function editTurn(t: AgentTestApp): Promise<void> {
  t.model.reply(
    {
      tools: [
        {
          name: 'Edit',
          input: {
            file_path: join(t.project, 'app.ts'),
            old_string: 'const b = 2;',
            new_string: 'const b = 3;',
          },
        },
      ],
    },
    {
      tools: [
        { name: 'Write', input: { file_path: join(t.project, 'new.ts'), content: 'export {};\n' } },
      ],
    },
    { text: 'Edited.' },
  );
  t.sim.phoneSends({ from: OWNER, text: '/new demo' });
  t.sim.phoneSends({ from: OWNER, text: '/mode edits' });
  t.sim.phoneSends({ from: OWNER, text: 'make b three and add new.ts' });
  await untilAgent(() => phoneTexts(t).includes('Edited.'), 'the turn');
}

describe('git from the phone (real Claude Code CLI)', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  beforeEach(async () => {
    t = await createAgentApp();
    writeFileSync(join(t.project, 'app.ts'), 'const a = 1;\nconst b = 2;\n');
    writeFileSync(join(t.project, 'notes.txt'), 'mine\n');
  });

  function initRepository(): void {
    git(t.project, 'init', '--quiet');
    git(t.project, 'config', 'user.email', 'owner@example.test');
    git(t.project, 'config', 'user.name', 'Owner');
    git(t.project, 'add', '.');
    git(t.project, 'commit', '--quiet', '-m', 'initial');
    writeFileSync(join(t.project, 'notes.txt'), 'mine, changed at the desk\n'); // not the turn's
  }

  it('/diff after an edit turn shows that edit (and the new file), nothing else', async () => {
    initRepository();
    await editTurn(t);
    t.sim.phoneSends({ from: OWNER, text: '/diff' });
    await untilAgent(() => t.sim.sent.some((s) => s.attachments.length > 0), 'the diff');
    const sent = t.sim.sent.find((s) => s.attachments.length > 0);
    expect(sent?.message).toBe(
      'What the last turn changed (2 files: app.ts, new.ts): changes.diff',
    );
    const diff = sent?.attachments[0].data.toString() ?? '';
    expect(sent?.attachments[0].filename).toBe('changes.diff');
    expect(diff).toContain('--- a/app.ts\n+++ b/app.ts\n');
    expect(diff).toContain('-const b = 2;\n+const b = 3;\n');
    expect(diff).toContain('+++ b/new.ts\n');
    expect(diff).toContain('+export {};\n');
    expect(diff).not.toContain('notes.txt');
  });

  it('/commit after an edit turn creates one commit holding exactly that turn’s files', async () => {
    initRepository();
    await editTurn(t);
    t.sim.phoneSends({ from: OWNER, text: '/commit' });
    await untilAgent(() => phoneTexts(t).some((m) => m.startsWith('Committed ')), 'the commit');
    const hash = git(t.project, 'rev-parse', '--short', 'HEAD').trim();
    expect(phoneTexts(t).at(-1)).toBe(`Committed ${hash}: make b three and add new.ts (2 files).`);
    expect(git(t.project, 'rev-list', '--count', 'HEAD').trim()).toBe('2');
    expect(git(t.project, 'show', '--name-only', '--format=%s', 'HEAD').trim().split('\n')).toEqual(
      ['make b three and add new.ts', '', 'app.ts', 'new.ts'],
    );
    // What the owner changed at the desk stays uncommitted.
    expect(git(t.project, 'status', '--porcelain').trim()).toBe('M notes.txt');
  });

  it('outside a git repository: /commit is refused, /diff lists the files written', async () => {
    await editTurn(t);
    t.sim.phoneSends({ from: OWNER, text: '/commit' });
    t.sim.phoneSends({ from: OWNER, text: '/diff' });
    await untilAgent(() => phoneTexts(t).length === 5, 'both answers');
    expect(phoneTexts(t).slice(3)).toEqual([
      'This project is not a git repository: there is nothing to commit to.',
      'The last turn wrote (not a git repository, so no diff):\n• app.ts\n• new.ts',
    ]);
  });
});
