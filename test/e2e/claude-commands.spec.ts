import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentTestApp, createAgentApp, phoneTexts, untilAgent } from '../utils/agent-harness';
import { OWNER } from '../utils/signal-harness';

jest.setTimeout(60_000); // the real CLI starts in about a second, on a loaded CI machine slower

describe('the user’s own Claude Code commands (real Claude Code CLI)', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  it('/commands lists a command file added after boot; /run of it reaches the agent as that slash command', async () => {
    t = await createAgentApp();
    const say = async (text: string, count: number): Promise<void> => {
      t.sim.phoneSends({ from: OWNER, text });
      await untilAgent(() => phoneTexts(t).length === count, `the answer to ${text}`);
    };
    await say('/new demo', 1);
    await say('/commands', 2);
    // Added while the daemon runs: a project command and a project agent, and one of the user's.
    mkdirSync(join(t.project, '.claude', 'commands', 'git'), { recursive: true });
    mkdirSync(join(t.project, '.claude', 'agents'), { recursive: true });
    mkdirSync(join(t.home, '.claude', 'commands'), { recursive: true });
    writeFileSync(
      join(t.project, '.claude', 'commands', 'review.md'),
      '---\ndescription: Review a file with care\n---\nReview the file $ARGUMENTS carefully (marker 7301).\n',
    );
    writeFileSync(join(t.project, '.claude', 'commands', 'git', 'tidy.md'), 'Tidy the branch.\n');
    writeFileSync(
      join(t.project, '.claude', 'agents', 'tester.md'),
      '---\nname: tester\ndescription: Writes tests\n---\nYou write tests.\n',
    );
    writeFileSync(join(t.home, '.claude', 'commands', 'standup.md'), 'Summarize my day.\n');
    await say('/commands', 3);
    t.model.reply({ text: 'Reviewed.' });
    await say('/run review app.ts', 4);
    expect(phoneTexts(t)).toEqual([
      'Started a session in demo. Send a prompt.',
      'No custom commands or agents here (.claude/commands, .claude/agents).',
      [
        'Commands:',
        '• /git:tidy — Tidy the branch.',
        '• /review — Review a file with care',
        '• /standup — Summarize my day. (yours)',
        'Agents:',
        '• tester — Writes tests',
        'Run one with /run <name> [args].',
      ].join('\n'),
      'Reviewed.',
    ]);
    // Claude Code expanded the command file into the prompt, arguments and all.
    const request = JSON.stringify(t.model.mainRequests.at(-1)?.body.messages);
    expect(request).toContain('Review the file app.ts carefully (marker 7301).');
  });

  it('/run of a name that is not there gets a clear answer and runs nothing', async () => {
    t = await createAgentApp();
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: '/run nosuch' });
    await untilAgent(() => phoneTexts(t).length === 2, 'the answer');
    expect(phoneTexts(t)[1]).toBe('No command or agent "nosuch" here. /commands lists them.');
    expect(t.model.mainRequests).toHaveLength(0);
  });
});
