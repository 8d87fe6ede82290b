import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SentMessage } from '../simulator/network';
import { BridgeSystem } from './system';
import { Transcript } from './transcript';

/**
 * `npm run demo`: the whole system on embedded defaults — the Signal simulator, the daemon on a
 * fresh data folder, the real Claude Code CLI against the bundled scripted model, a throw-away
 * project — and a scripted phone conversation, printed as a chat transcript. Everything it
 * starts is stopped and its folder removed at the end, on failure, and on Ctrl-C.
 * `npm run demo -- --interactive`: you type as the phone.
 */
async function main(): Promise<void> {
  const interactive = process.argv.includes('--interactive');
  const dir = mkdtempSync(join(tmpdir(), 'claude-signal-bridge-demo-'));
  const project = join(dir, 'projects', 'demo');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'hello.js'), HELLO);
  writeFileSync(join(project, 'README.md'), '# demo\n\nA throw-away project for the demo.\n');

  const transcript = new Transcript(process.stdout);
  let system: BridgeSystem | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      await system?.stop();
      rmSync(dir, { recursive: true, force: true });
    })());
  process.once('SIGINT', () => {
    transcript.note('interrupted: stopping everything');
    void cleanUp().then(() => process.exit(0));
  });

  try {
    transcript.note('starting the Signal simulator, the scripted model and the daemon');
    system = await BridgeSystem.start({ dir, echo: interactive });
    await system.startDaemon();
    transcript.note(`daemon ready (data in ${join(dir, 'data')})`);
    const phone = new Phone(system, transcript);
    if (interactive) await typeAsThePhone(phone, transcript);
    else await playConversation(system, phone, transcript, project);
    transcript.note(`demo finished in ${transcript.elapsed()}`);
  } catch (error) {
    transcript.note(`demo failed: ${(error as Error).message}`);
    const stderr = system?.daemon?.stderr().trim();
    if (stderr) process.stderr.write(`${stderr}\n`);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}

const HELLO = `function hello() {\n  return 'Hello, world!';\n}\n\nmodule.exports = { hello };\n`;

/** The scripted conversation: the README's quick tour, against real processes. */
async function playConversation(
  system: BridgeSystem,
  phone: Phone,
  transcript: Transcript,
  project: string,
): Promise<void> {
  await phone.say('/help', (m) => m.message.startsWith('Commands'));
  await phone.say('/new demo', (m) => /session/i.test(m.message));

  const file = join(project, 'hello.js');
  await system.script(
    { tools: [{ name: 'Read', input: { file_path: file } }] },
    {
      tools: [
        {
          name: 'Edit',
          input: {
            file_path: file,
            old_string: "function hello() {\n  return 'Hello, world!';",
            new_string: 'function hello(name) {\n  return `Hello, ${name}!`;',
          },
        },
      ],
    },
    { text: 'Done: `hello(name)` now greets whoever you pass in, e.g. `hello("Ada")`.' },
  );
  await phone.say('Make hello() greet a person by name', (m) => m.message.includes('/approve'));
  await phone.say('/approve', (m) => m.message.startsWith('Done'));

  // A turn that outlives a network drop: the model is slow on its second step, the link drops
  // meanwhile, and after the reconnect the phone gets a catch-up summary before the result.
  await system.script(
    { tools: [{ name: 'Glob', input: { pattern: '**/*' } }] },
    { tools: [{ name: 'Read', input: { file_path: join(project, 'README.md') } }], delayMs: 1500 },
    { text: 'This project has two files: README.md and hello.js, which exports hello(name).' },
  );
  await phone.say('What is in this project?', (m) => /^⏳ Working/u.test(m.message));
  transcript.note('network drop: Signal unreachable for 2.5 s');
  await system.faults({ refuseMs: 2500 });
  await phone.await((m) => m.message.startsWith('This project has'), 'the result after the drop');
  await phone.say('/status', (m) => /Signal/i.test(m.message));
}

/** `--interactive`: each line typed is what the phone sends. */
async function typeAsThePhone(phone: Phone, transcript: Transcript): Promise<void> {
  transcript.note(
    'type as the phone (try /help, /new demo, then a prompt); the model repeats what it is asked. Ctrl-D ends.',
  );
  const stopWatching = phone.watch();
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim()) await phone.send(line.trim());
  }
  stopWatching();
  await phone.settle(); // input ended (Ctrl-D, or a piped script): let the answers arrive
}

/** The owner's phone: sends texts, and prints what the bot sends as it arrives. */
class Phone {
  private seen = 0;
  private readonly edits = new Map<number, string>();

  constructor(
    private readonly system: BridgeSystem,
    private readonly transcript: Transcript,
  ) {}

  async send(text: string): Promise<void> {
    this.transcript.phone(text);
    await this.system.phone(text);
  }

  /** Sends `text` and waits for a bot message `answer` accepts. */
  async say(text: string, answer: (m: SentMessage) => boolean): Promise<void> {
    await this.send(text);
    await this.await(answer, `an answer to "${text}"`);
  }

  /** Prints the bot's messages until one that `wanted` accepts has arrived. */
  async await(wanted: (m: SentMessage) => boolean, what: string): Promise<void> {
    let found = false;
    await this.system.until(
      async () => {
        for (const message of await this.newMessages()) if (wanted(message)) found = true;
        return found;
      },
      what,
      20_000,
    );
  }

  /** Prints the bot's messages until none has come for `quietMs` (at most `maxMs` in all). */
  async settle(quietMs = 3000, maxMs = 60_000): Promise<void> {
    const end = performance.now() + maxMs;
    let lastNews = performance.now();
    while (performance.now() - lastNews < quietMs && performance.now() < end) {
      if ((await this.newMessages()).length > 0) lastNews = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Prints the bot's messages as they come, until the returned function is called. */
  watch(): () => void {
    const timer = setInterval(() => void this.newMessages().catch(() => undefined), 200);
    return () => clearInterval(timer);
  }

  private async newMessages(): Promise<SentMessage[]> {
    const sent = await this.system.sent();
    const fresh = sent.slice(this.seen);
    this.seen = sent.length;
    const shown: SentMessage[] = [];
    for (const message of fresh) {
      if (message.editTimestamp === null) {
        this.transcript.bot(message.message, message.attachments.length);
        this.edits.set(message.timestamp, message.message);
        shown.push(message);
      } else if (this.edits.get(message.editTimestamp) !== message.message) {
        this.transcript.bot(message.message, message.attachments.length, true);
        this.edits.set(message.editTimestamp, message.message);
        shown.push(message);
      }
    }
    return shown;
  }
}

void main();
