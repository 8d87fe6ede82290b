import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionsService } from '../../src/modules/sessions';
import {
  AgentTestApp,
  createAgentApp,
  untilAgent,
  agentFailures,
  isProgress,
  phoneTexts,
  pidAlive,
} from '../utils/agent-harness';
import { OWNER } from '../utils/signal-harness';

/** The last line of an ordinary question; `rule` is the one Claude Code suggested for /always. */
const ANSWER = (id: number, rule: string) =>
  `Answer /approve ${id} or /reject ${id} [reason], 👍 or 👎 (or reply yes/no), /approve all for the rest of this turn, /always ${id} to allow ${rule} for this session.`;
/** What a Bash question says protects the command. */
const SANDBOXED = '🔒 Sandboxed: it can write only inside demo and reach no network.';
const PLAN_ANSWER = (id: number) =>
  `Answer /approve ${id} to carry it out asking before each change, /approve ${id} edits to let file edits run unasked, or /reject ${id} [what to change]; 👍 or 👎 (or reply yes/no) work too.`;
const texts = phoneTexts;
/** Edits of earlier messages: [the edited message's text as first sent, the new text]. */
const edits = (t: AgentTestApp) =>
  t.sim.sent
    .filter((s) => s.editTimestamp !== null && !isProgress(s.message))
    .map((s) => [t.sim.sent.find((o) => o.timestamp === s.editTimestamp)?.message, s.message]);
const conversation = `dm:${OWNER.uuid}`;

/** The tool results the model received in its last request, as plain text. */
function lastToolResults(t: AgentTestApp): string[] {
  const messages = (t.model.mainRequests.at(-1)?.body.messages ?? []) as {
    content: unknown;
  }[];
  const blocks = messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])) as {
    type: string;
    content?: unknown;
  }[];
  return blocks
    .filter((b) => b.type === 'tool_result')
    .map((b) =>
      typeof b.content === 'string'
        ? b.content
        : (b.content as { text?: string }[]).map((c) => c.text ?? '').join(''),
    );
}

jest.setTimeout(60_000); // the real CLI starts in about a second, on a loaded CI machine slower

describe('agent turns with the real Claude Code CLI', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  it('/new demo then a prompt: an approval shows the new file, /approve, the file is written, the result arrives, the session id is stored', async () => {
    t = await createAgentApp();
    const file = join(t.project, 'hello.txt');
    t.model.reply(
      { tools: [{ name: 'Write', input: { file_path: file, content: 'hello from the phone\n' } }] },
      { text: 'I wrote hello.txt.' },
    );
    t.sim.phoneSends({ from: OWNER, text: '/new demo write hello.txt' });
    await untilAgent(() => texts(t).length === 2, 'the approval');
    expect(texts(t)).toEqual([
      'Started a session in demo; working on it.',
      `Approval 1 — Write in demo\nCreate hello.txt (new file, 2 lines):\nhello from the phone\n\n${ANSWER(1, 'Write')}`,
    ]);
    expect(existsSync(file)).toBe(false); // the tool waits for the answer
    t.sim.phoneSends({ from: OWNER, text: '/approve' });
    await untilAgent(() => texts(t).length === 4, 'the result');
    expect(texts(t).slice(2)).toEqual(['Approved 1.', 'I wrote hello.txt.']);
    // The result ends with what Claude Code reported: time, model calls, cost.
    const result = t.sim.sent.find((s) => s.message.startsWith('I wrote hello.txt.'));
    expect(result?.message).toMatch(
      /^I wrote hello\.txt\.\n\n— \d+ s · 2 model calls( · \$\d+\.\d{4})?$/,
    );
    expect(readFileSync(file, 'utf8')).toBe('hello from the phone\n');
    await untilAgent(() => edits(t).length === 1, 'the question edited');
    expect(edits(t)[0][1]).toBe(
      'Approval 1 — Write in demo\nCreate hello.txt (new file, 2 lines):\nhello from the phone\n\n✅ Approved.',
    );
    const [session] = await t.app.get(SessionsService).list({ conversationId: conversation });
    expect(session.status).toBe('ACTIVE');
    expect(session.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(session.agentPid).toBeNull();
  });

  it('an Edit is asked with a unified diff of the change, and runs once approved', async () => {
    t = await createAgentApp();
    const file = join(t.project, 'app.ts');
    writeFileSync(file, 'const a = 1;\nconst b = 2;\nexport const sum = a + b;\n');
    t.model.reply(
      {
        tools: [
          {
            name: 'Edit',
            input: { file_path: file, old_string: 'const b = 2;', new_string: 'const b = 3;' },
          },
        ],
      },
      { text: 'Changed b.' },
    );
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'set b to 3' });
    await untilAgent(() => texts(t).length === 2, 'the approval');
    expect(texts(t)[1]).toBe(
      `Approval 1 — Edit in demo\nEdit app.ts:\n@@ -1,3 +1,3 @@\n const a = 1;\n-const b = 2;\n+const b = 3;\n export const sum = a + b;\n${ANSWER(1, 'Edit')}`,
    );
    t.sim.phoneSends({ from: OWNER, text: '/approve 1' });
    await untilAgent(() => texts(t).includes('Changed b.'), 'the result');
    expect(readFileSync(file, 'utf8')).toBe(
      'const a = 1;\nconst b = 3;\nexport const sum = a + b;\n',
    );
  });

  it('/reject <id> too risky: the agent receives "too risky" and the file is untouched', async () => {
    t = await createAgentApp();
    const file = join(t.project, 'hello.txt');
    t.model.reply(
      { tools: [{ name: 'Write', input: { file_path: file, content: 'x\n' } }] },
      { text: 'Understood, I left it alone.' },
    );
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'write hello.txt' });
    await untilAgent(() => texts(t).length === 2, 'the approval');
    t.sim.phoneSends({ from: OWNER, text: '/reject 1 too risky' });
    await untilAgent(() => texts(t).length === 4, 'the result');
    expect(texts(t).slice(2)).toEqual(['Rejected 1.', 'Understood, I left it alone.']);
    expect(lastToolResults(t)).toEqual(['too risky']);
    expect(existsSync(file)).toBe(false);
  });

  it('an approval nobody answers: denied after the timeout (fake clock), the session paused, the owner told', async () => {
    t = await createAgentApp();
    t.model.reply({ tools: [{ name: 'Bash', input: { command: 'touch made-by-bash' } }] });
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'make a file' });
    await untilAgent(() => texts(t).length === 2, 'the approval');
    expect(texts(t)[1]).toBe(
      `Approval 1 — Bash in demo\nRun: touch made-by-bash\n${SANDBOXED}\n${ANSWER(1, 'Bash(touch made-by-bash *)')}`,
    );
    await t.clock.advance(10 * 60_000);
    await untilAgent(() => texts(t).length === 3, 'the end of the turn');
    expect(texts(t)[2]).toBe(
      'No answer to the approval in time: it was denied, and this session is paused. Send /resume to continue.',
    );
    const [session] = await t.app.get(SessionsService).list({ conversationId: conversation });
    expect(session.status).toBe('PAUSED');
    expect(existsSync(join(t.project, 'made-by-bash'))).toBe(false);
  });

  it('/stop while a tool waits for approval: the agent process is gone, the session still takes prompts', async () => {
    t = await createAgentApp();
    t.model.reply({ tools: [{ name: 'Bash', input: { command: 'touch never' } }] });
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'do something' });
    await untilAgent(() => texts(t).length === 2, 'the approval');
    const sessions = t.app.get(SessionsService);
    const [running] = await sessions.list({ conversationId: conversation });
    const pid = running.agentPid as number;
    expect(pidAlive(pid)).toBe(true);
    t.sim.phoneSends({ from: OWNER, text: '/stop' });
    await untilAgent(() => texts(t).length === 3, 'the stop');
    expect(texts(t)[2]).toBe('Stopped: the turn was interrupted.');
    await untilAgent(() => !pidAlive(pid), 'the agent process to end');
    t.model.reply({ text: 'Still here.' });
    t.sim.phoneSends({ from: OWNER, text: 'are you there?' });
    await untilAgent(() => texts(t).length === 4, 'the next answer');
    expect(texts(t)[3]).toBe('Still here.');
    expect(existsSync(join(t.project, 'never'))).toBe(false);
  });

  it('/pause then /resume: the next turn continues the agent session (the model sees the earlier messages)', async () => {
    t = await createAgentApp();
    t.model.reply({ text: 'The secret word is kept.' }, { text: 'You told me: pineapple.' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'remember the word pineapple' });
    await untilAgent(() => texts(t).length === 2, 'the first answer');
    t.sim.phoneSends({ from: OWNER, text: '/pause' });
    t.sim.phoneSends({ from: OWNER, text: '/resume' });
    t.sim.phoneSends({ from: OWNER, text: 'what was the word?' });
    await untilAgent(() => texts(t).length === 5, 'the second answer');
    expect(texts(t).slice(1)).toEqual([
      'The secret word is kept.',
      'Paused the session in demo. /resume continues it.',
      'Resumed the session in demo. Send a prompt to continue.',
      'You told me: pineapple.',
    ]);
    const seen = JSON.stringify(t.model.mainRequests.at(-1)?.body.messages);
    expect(seen).toContain('remember the word pineapple');
    expect(seen).toContain('The secret word is kept.');
  });

  it('a stored agent session that no longer exists: a fresh one starts, and the owner is told the context was lost', async () => {
    t = await createAgentApp();
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    await untilAgent(() => texts(t).length === 1, 'the session');
    const sessions = t.app.get(SessionsService);
    const [session] = await sessions.list({ conversationId: conversation });
    await sessions.setAgentSessionId(session.id, '00000000-0000-4000-8000-000000000000');
    t.model.reply({ text: 'Fresh start.' });
    t.sim.phoneSends({ from: OWNER, text: 'hello again' });
    await untilAgent(() => texts(t).length === 3, 'the answer');
    expect(texts(t).slice(1)).toEqual([
      'The earlier Claude Code conversation of this session no longer exists: starting a fresh one. Its earlier context is lost.',
      'Fresh start.',
    ]);
    const [after] = await sessions.list({ conversationId: conversation });
    expect(after.agentSessionId).not.toBe('00000000-0000-4000-8000-000000000000');
    expect(after.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    [
      401,
      'not_logged_in',
      { type: 'authentication_error', message: 'invalid x-api-key' },
      'Claude Code is not logged in, or its API key is invalid. Log in with `claude` on the computer (or fix ANTHROPIC_API_KEY), then send the prompt again.',
    ],
    [
      529,
      'overloaded',
      { type: 'overloaded_error', message: 'Overloaded' },
      'The model server is overloaded: Claude Code gave up after its retries. Send the prompt again in a while.',
    ],
  ])(
    'model server answering %d: reported once, the turn bounded, the session consistent',
    async (status, cause, error, answer) => {
      t = await createAgentApp();
      t.model.always({ status, error });
      t.sim.phoneSends({ from: OWNER, text: '/new demo' });
      t.sim.phoneSends({ from: OWNER, text: 'anything' });
      await untilAgent(() => texts(t).includes(answer), 'the failure');
      const retries = texts(t).filter(
        (m) => m.startsWith('The model server ') && m.includes('retrying'),
      );
      expect(retries.length).toBeLessThanOrEqual(1);
      expect(texts(t).filter((m) => m === answer)).toHaveLength(1);
      await expect(agentFailures(t)).resolves.toEqual({ [cause]: 1 });
      const [session] = await t.app.get(SessionsService).list({ conversationId: conversation });
      expect(session.status).toBe('ACTIVE');
      expect(session.agentPid).toBeNull();
    },
  );

  it('the project’s own Claude Code settings hold: its allow rule runs unasked, its deny rule denies', async () => {
    t = await createAgentApp();
    // At the desk the user trusted this folder; Claude Code reads project settings only then.
    writeFileSync(
      join(t.home, '.claude.json'),
      JSON.stringify({ projects: { [t.project]: { hasTrustDialogAccepted: true } } }),
    );
    mkdirSync(join(t.project, '.claude'));
    writeFileSync(
      join(t.project, '.claude', 'settings.json'),
      JSON.stringify({
        permissions: { allow: ['Bash(touch allowed:*)'], deny: ['Bash(touch denied:*)'] },
      }),
    );
    t.model.reply(
      { tools: [{ name: 'Bash', input: { command: 'touch allowed' } }] },
      { tools: [{ name: 'Bash', input: { command: 'touch denied' } }] },
      { text: 'One of two.' },
    );
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'touch both' });
    await untilAgent(() => texts(t).length === 2, 'the result');
    expect(texts(t)[1]).toBe('One of two.'); // no approval was asked
    expect(existsSync(join(t.project, 'allowed'))).toBe(true);
    expect(existsSync(join(t.project, 'denied'))).toBe(false);
  });

  it('/mode edits: an Edit runs without asking while a Bash command still asks; the mode shows in /status', async () => {
    t = await createAgentApp();
    const file = join(t.project, 'notes.md');
    writeFileSync(file, 'old\n');
    t.model.reply(
      {
        tools: [{ name: 'Edit', input: { file_path: file, old_string: 'old', new_string: 'new' } }],
      },
      // (acceptEdits also lets plain file commands like touch through; a build command asks)
      { tools: [{ name: 'Bash', input: { command: 'npm test' } }] },
      { text: 'Edited, and ran it.' },
    );
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: '/mode edits' });
    t.sim.phoneSends({ from: OWNER, text: 'edit and run' });
    await untilAgent(() => texts(t).some((m) => m.startsWith('Approval 1 ')), 'the approval');
    expect(texts(t).slice(1)).toEqual([
      'Mode here: edits.',
      `Approval 1 — Bash in demo\nRun: npm test\n${SANDBOXED}\n${ANSWER(1, 'Bash(npm test *)')}`,
    ]);
    expect(readFileSync(file, 'utf8')).toBe('new\n'); // the edit ran unasked
    t.sim.phoneSends({ from: OWNER, text: '/approve' });
    await untilAgent(() => texts(t).includes('Edited, and ran it.'), 'the result');
    t.sim.phoneSends({ from: OWNER, text: '/status' });
    await untilAgent(() => texts(t).at(-1)?.startsWith('Signal:') === true, 'the status');
    expect(texts(t).at(-1)).toContain('\nSession here: demo, active, mode edits\n');
  });

  it('/mode plan: the plan arrives as an approval, and nothing is written before it is approved', async () => {
    t = await createAgentApp();
    const file = join(t.project, 'planned.txt');
    t.model.reply(
      { text: '1. Create planned.txt', tools: [{ name: 'ExitPlanMode', input: {} }] },
      { tools: [{ name: 'Write', input: { file_path: file, content: 'as planned\n' } }] },
      { text: 'Carried out the plan.' },
    );
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: '/mode plan' });
    t.sim.phoneSends({ from: OWNER, text: 'plan a file' });
    await untilAgent(() => texts(t).some((m) => m.startsWith('Approval 1 ')), 'the plan');
    expect(texts(t).at(-1)).toBe(
      `Approval 1 — ExitPlanMode in demo\nThe plan (approving it lets Claude carry it out):\n1. Create planned.txt\n${PLAN_ANSWER(1)}`,
    );
    expect(existsSync(file)).toBe(false);
    t.sim.phoneSends({ from: OWNER, text: '/approve' });
    await untilAgent(() => texts(t).some((m) => m.startsWith('Approval 2 ')), 'the write');
    expect(existsSync(file)).toBe(false);
    t.sim.phoneSends({ from: OWNER, text: '/approve' });
    await untilAgent(() => texts(t).includes('Carried out the plan.'), 'the result');
    expect(readFileSync(file, 'utf8')).toBe('as planned\n');
  });

  it('/mode plan then "/approve edits": the plan is carried out with its edits unasked, commands still asked, and the session stays in plan mode', async () => {
    t = await createAgentApp();
    const file = join(t.project, 'planned.txt');
    t.model.reply(
      { text: '1. Create planned.txt', tools: [{ name: 'ExitPlanMode', input: {} }] },
      { tools: [{ name: 'Write', input: { file_path: file, content: 'as planned\n' } }] },
      { tools: [{ name: 'Bash', input: { command: 'npm test' } }] },
      { text: 'Carried out the plan.' },
    );
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: '/mode plan' });
    t.sim.phoneSends({ from: OWNER, text: 'plan a file' });
    await untilAgent(() => texts(t).some((m) => m.startsWith('Approval 1 ')), 'the plan');
    t.sim.phoneSends({ from: OWNER, text: '/approve edits' });
    await untilAgent(() => texts(t).some((m) => m.startsWith('Approval 2 ')), 'the command');
    expect(texts(t).slice(-2)).toEqual([
      'Approved 1. Claude carries out the plan with file edits running unasked (for this turn).',
      `Approval 2 — Bash in demo\nRun: npm test\n${SANDBOXED}\n${ANSWER(2, 'Bash(npm test *)')}`,
    ]);
    expect(readFileSync(file, 'utf8')).toBe('as planned\n'); // written without a question
    t.sim.phoneSends({ from: OWNER, text: '/reject 2 not now' });
    await untilAgent(() => texts(t).includes('Carried out the plan.'), 'the result');
    t.sim.phoneSends({ from: OWNER, text: '/mode' });
    await untilAgent(() => texts(t).at(-1)?.startsWith('Mode here') === true, 'the mode');
    expect(texts(t).at(-1)).toBe('Mode here: plan. /mode ask|edits|plan changes it.');
  });

  it('"edits" on an approval that is not a plan is refused, and the approval still waits', async () => {
    t = await createAgentApp();
    t.model.reply({ tools: [{ name: 'Bash', input: { command: 'touch x.txt' } }] }, { text: 'ok' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo touch x' });
    await untilAgent(() => texts(t).some((m) => m.startsWith('Approval 1 ')), 'the approval');
    t.sim.phoneSends({ from: OWNER, text: '/approve 1 edits' });
    await untilAgent(() => texts(t).length === 3, 'the answer');
    expect(texts(t)[2]).toBe(
      'Approval 1 is not a plan: "ask" and "edits" only choose how a plan is carried out.',
    );
    t.sim.phoneSends({ from: OWNER, text: '/approve 1' });
    await untilAgent(() => texts(t).includes('ok'), 'the result');
    expect(existsSync(join(t.project, 'x.txt'))).toBe(true);
  });

  it('/mode refuses bypassing permissions', async () => {
    t = await createAgentApp();
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: '/mode bypass' });
    await untilAgent(() => texts(t).length === 2, 'the answer');
    expect(texts(t)[1]).toBe(
      'Bypassing permissions is not allowed from the phone: every change is either asked or covered by a rule you chose.',
    );
  });

  it('/new and /use outside the project roots are refused with a clear answer', async () => {
    t = await createAgentApp();
    t.sim.phoneSends({ from: OWNER, text: '/new ../../etc' });
    t.sim.phoneSends({ from: OWNER, text: '/new /etc' });
    t.sim.phoneSends({ from: OWNER, text: '/use ../../etc' });
    await untilAgent(() => texts(t).length === 3, 'the answers');
    expect(texts(t)).toEqual([
      'I could not run /new: that folder is outside the project roots I may use.',
      'I could not run /new: that folder is outside the project roots I may use.',
      'I could not run /use: that folder is outside the project roots I may use.',
    ]);
    await expect(t.app.get(SessionsService).list()).resolves.toEqual([]);
  });
});
