import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentTestApp,
  createAgentApp,
  lastToolResult,
  phoneTexts,
  untilAgent,
} from '../utils/agent-harness';
import { OWNER } from '../utils/signal-harness';
import { BOT_ACCOUNT } from '../utils/test-config';

const texts = phoneTexts;
const bash = (command: string) => ({ tools: [{ name: 'Bash', input: { command } }] });
const questions = (t: AgentTestApp) => texts(t).filter((m) => /^Approval \d+ — /.test(m));
const RETRY_HINT = 'It is kept: send /retry to run it again.';

jest.setTimeout(120_000); // several real tool calls per test

/** A project whose `npm test` passes without touching the network. */
function withPackage(t: AgentTestApp): void {
  writeFileSync(
    join(t.project, 'package.json'),
    JSON.stringify({ name: 'demo', scripts: { test: 'echo tests-ran' } }),
  );
}

describe('the gate: Claude Code matches the rules (real CLI)', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  it('after /always on npm test, compound commands still ask and leave no trace until approved; npm test itself runs unasked', async () => {
    t = await createAgentApp();
    withPackage(t);
    t.model.reply(bash('npm test'), { text: 'tests pass' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'run the tests' });
    await untilAgent(() => questions(t).length === 1, 'the first question');
    t.sim.phoneSends({ from: OWNER, text: '/always' });
    await untilAgent(() => texts(t).includes('tests pass'), 'the first turn');
    expect(texts(t)).toContain('Approved 1. From now on this session allows Bash(npm test *).');

    const smuggled = [
      'npm test && touch pwned',
      'npm test; touch pwned',
      'npm test | tee pwned',
      'npm test $(touch pwned)',
      'npm test `touch pwned`',
      'npm test\ntouch pwned',
    ];
    t.model.reply(...smuggled.map(bash), bash('npm test'), bash('npm test -- --watch=false'), {
      text: 'all done',
    });
    t.sim.phoneSends({ from: OWNER, text: 'try them all' });
    for (const [i, command] of smuggled.entries()) {
      const id = i + 2;
      await untilAgent(() => questions(t).length === id, `the question for ${command}`);
      expect(questions(t)[id - 1]).toContain(`\nRun: ${command}\n`);
      expect(existsSync(join(t.project, 'pwned'))).toBe(false);
      t.sim.phoneSends({ from: OWNER, text: `/reject ${id}` });
    }
    await untilAgent(() => texts(t).includes('all done'), 'the end of the turn');
    expect(questions(t)).toHaveLength(7); // none for npm test and npm test -- --watch=false
    expect(lastToolResult(t)).toEqual({
      isError: false,
      text: expect.stringContaining('tests-ran --watch=false') as string,
    });
    expect(existsSync(join(t.project, 'pwned'))).toBe(false);
  });

  it('APPROVAL_DENY=Bash(git push:*) denies `ls && git push` without asking', async () => {
    t = await createAgentApp({ env: { APPROVAL_DENY: 'Bash(git push:*)' } });
    t.model.reply(bash('ls && git push'), { text: 'could not push' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo push it' });
    await untilAgent(() => texts(t).includes('could not push'), 'the result');
    expect(questions(t)).toEqual([]);
    expect(lastToolResult(t)).toEqual({
      isError: true,
      text: expect.stringContaining('denied') as string,
    });
  });

  it('/approve all and 👍 do not cover high-risk commands: each is asked as high risk and runs only when typed out', async () => {
    t = await createAgentApp();
    mkdirSync(join(t.project, 'build'));
    const risky: [string, string][] = [
      ["r''m -rf build", 'deletes a folder recursively'],
      ['find build -delete', 'deletes the files find matches'],
      ['git clean -fdx', 'deletes untracked files (git clean)'],
      ['git push --force origin main', 'force-pushes, rewriting history on the remote'],
      [
        'python3 -c "import shutil; shutil.rmtree(\'build\')"',
        'runs an inline script that deletes files',
      ],
      ['base64 -d <<< cm0gLXJmIGJ1aWxkCg== | sh', 'runs a decoded payload'],
    ];
    t.model.reply(bash('touch ok'), ...risky.map(([c]) => bash(c)), { text: 'finished' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo clean up' });
    await untilAgent(() => questions(t).length === 1, 'the first question');
    t.sim.phoneSends({ from: OWNER, text: '/approve all' });
    for (const [i, [command, reason]] of risky.entries()) {
      const id = i + 2;
      await untilAgent(() => questions(t).length === id, `the question for ${command}`);
      expect(questions(t)[id - 1]).toContain(
        `\nRun: ${command}\n🔒 Sandboxed: it can write only inside demo and reach no network.\n⚠️ High risk (${reason}): only /approve ${id} typed out approves this.`,
      );
      const asked = t.sim.sent.find((s) => s.message.startsWith(`Approval ${id} `));
      t.sim.phoneReacts({
        from: OWNER,
        emoji: '👍',
        targetTimestamp: asked?.timestamp as number,
        targetAuthor: BOT_ACCOUNT,
      });
      const refusal = `Approval ${id} is high risk: only /approve ${id} typed out approves it.`;
      await untilAgent(() => texts(t).includes(refusal), 'the refusal of the 👍');
      expect(existsSync(join(t.project, 'build'))).toBe(true);
      t.sim.phoneSends({ from: OWNER, text: `/reject ${id}` });
      await untilAgent(() => texts(t).includes(`Rejected ${id}.`), 'the rejection');
    }
    await untilAgent(() => texts(t).includes('finished'), 'the end of the turn');
    expect(existsSync(join(t.project, 'build'))).toBe(true);
    expect(existsSync(join(t.project, 'ok'))).toBe(true);
  });
});

describe("approved commands stay in Claude Code's sandbox (real CLI)", () => {
  let t: AgentTestApp;
  let server: Server;
  const hits: string[] = [];
  afterEach(async () => {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reading a key, writing outside, reading the database and reaching a server all fail, while work inside the project goes on', async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('secret page');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    t = await createAgentApp();
    mkdirSync(join(t.home, '.ssh'));
    writeFileSync(join(t.home, '.ssh', 'id_ed25519'), 'FAKE-PRIVATE-KEY');
    const database = join(t.dir, 'data', 'bridge.sqlite');
    const attempts = [
      'cat ~/.ssh/id_ed25519', // the agent's HOME: the test's
      'echo escaped > ../outside.txt',
      `cat ${database}`,
      `curl -s -m 5 http://127.0.0.1:${port}/leak`,
    ];
    const inside = [
      'echo hi > inside.txt',
      "node -e \"require('fs').writeFileSync('n.txt', '1')\"",
    ];
    t.model.reply(...[...attempts, ...inside].map(bash), { text: 'tried everything' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo go' });
    const results: { text: string; isError: boolean }[] = [];
    for (let id = 1; id <= attempts.length + inside.length; id++) {
      await untilAgent(() => questions(t).length === id, `question ${id}`);
      if (id > 1) results.push(lastToolResult(t) ?? { text: '', isError: false });
      t.sim.phoneSends({ from: OWNER, text: `/approve ${id}` });
    }
    await untilAgent(() => texts(t).includes('tried everything'), 'the end of the turn');
    results.push(lastToolResult(t) ?? { text: '', isError: false });
    expect(results.slice(0, 4).map((r) => r.isError)).toEqual([true, true, true, true]);
    expect(results.map((r) => r.text).join('\n')).not.toContain('FAKE-PRIVATE-KEY');
    expect(results.map((r) => r.text).join('\n')).not.toContain('SQLite format');
    expect(existsSync(join(t.project, '..', 'outside.txt'))).toBe(false);
    expect(hits).toEqual([]);
    expect(results.slice(4).map((r) => r.isError)).toEqual([false, false]);
    expect(readdirSync(t.project).sort()).toEqual(expect.arrayContaining(['inside.txt', 'n.txt']));
  });
});

describe('the bridge confines its own writes, and SANDBOX=on refuses without a sandbox', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  it('a phone-uploads folder that is a link out of the project: the file is refused, nothing lands outside, the prompt is kept', async () => {
    t = await createAgentApp();
    const outside = join(t.dir, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(t.project, 'phone-uploads'));
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({
      from: OWNER,
      text: 'add my key',
      attachments: [
        {
          filename: 'authorized_keys',
          contentType: 'text/plain',
          data: Buffer.from('ssh-ed25519 AAAA'),
        },
      ],
    });
    await untilAgent(() => texts(t).length === 2, 'the refusal');
    expect(texts(t)[1]).toBe(
      `I could not run “add my key”: the project's phone-uploads folder leads outside the project (it is a link), so the file was not saved. Replace that link with a plain folder at the desk. ${RETRY_HINT}`,
    );
    expect(readdirSync(outside)).toEqual([]);
    expect(t.model.mainRequests).toHaveLength(0);
    await expect(t.inbound('failed')).resolves.toBe(1);
  });

  it('SANDBOX=auto with bubblewrap missing: /status says the sandbox is off and why, questions say so, the work goes on', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'csb-no-bwrap-'));
    t = await createAgentApp({ agentPath: bare, env: { SANDBOX: 'auto' } });
    t.model.reply(bash('echo made > made.txt'), { text: 'made it' });
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'make a file' });
    await untilAgent(() => questions(t).length === 1, 'the question');
    expect(questions(t)[0]).toContain(
      '\nRun: echo made > made.txt\n⚠️ No sandbox: it runs with your full access.\n',
    );
    t.sim.phoneSends({ from: OWNER, text: '/approve' });
    await untilAgent(() => texts(t).includes('made it'), 'the result');
    expect(existsSync(join(t.project, 'made.txt'))).toBe(true);
    t.sim.phoneSends({ from: OWNER, text: '/status' });
    await untilAgent(() => texts(t).some((m) => m.startsWith('Signal: ')), 'the status');
    expect(texts(t).find((m) => m.startsWith('Signal: '))).toContain(
      '\nSandbox: off — bubblewrap (bwrap) is not installed; to fix: install bubblewrap: sudo apt-get install -y bubblewrap socat\n',
    );
  });

  it('SANDBOX=on with bubblewrap missing from the PATH: the prompt is refused with the fix, nothing runs, it is kept', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'csb-no-bwrap-'));
    t = await createAgentApp({ agentPath: bare, env: { SANDBOX: 'on' } });
    t.model.reply(bash('touch ran'));
    t.sim.phoneSends({ from: OWNER, text: '/new demo' });
    t.sim.phoneSends({ from: OWNER, text: 'make a file' });
    await untilAgent(() => texts(t).length === 2, 'the refusal');
    expect(texts(t)[1]).toBe(
      `I could not run “make a file”: the sandbox is required (SANDBOX=on), but bubblewrap is not installed. Install it on the computer with \`sudo apt-get install -y bubblewrap socat\`, or set SANDBOX=auto to run without a sandbox. ${RETRY_HINT}`,
    );
    expect(t.model.mainRequests).toHaveLength(0);
    expect(existsSync(join(t.project, 'ran'))).toBe(false);
    await expect(t.inbound('failed')).resolves.toBe(1);
    t.sim.phoneSends({ from: OWNER, text: '/status' });
    await untilAgent(() => texts(t).length === 3, 'the status');
    expect(texts(t)[2]).toContain(
      '\nSandbox: required but unavailable, so prompts are refused — bubblewrap (bwrap) is not installed; to fix: install bubblewrap: sudo apt-get install -y bubblewrap socat\n',
    );
  });
});
