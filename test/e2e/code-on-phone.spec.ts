import { AgentTestApp, createAgentApp, untilAgent, USAGE_FOOTER } from '../utils/agent-harness';
import { OWNER } from '../utils/signal-harness';

jest.setTimeout(60_000); // the real CLI starts in about a second, on a loaded CI machine slower

/** The answer message whose text starts with `start`. */
const answer = (t: AgentTestApp, start: string) =>
  t.sim.sent.find((s) => s.editTimestamp === null && s.message.startsWith(start));

describe('code on a phone (real Claude Code CLI)', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  it.each(['signal-cli', 'rest'] as const)(
    'monospace ranges land exactly on the code, with emoji and accents around it (%s)',
    async (transport) => {
      t = await createAgentApp({ transport });
      t.model.reply({
        text: 'Voilà 🎉 — run `npm test` then:\n```ts\nconst café = "☕";\n```\nÇa marche 👍🏽 with `ok`.',
      });
      t.sim.phoneSends({ from: OWNER, text: '/new demo show me' });
      await untilAgent(() => answer(t, 'Voilà') !== undefined, 'the answer');
      const result = answer(t, 'Voilà');
      const message = result?.message.replace(USAGE_FOOTER, '');
      expect(message).toBe(
        'Voilà 🎉 — run npm test then:\nconst café = "☕";\nÇa marche 👍🏽 with ok.',
      );
      expect(
        result?.textStyles.map((s) => [s.style, result.message.slice(s.start, s.start + s.length)]),
      ).toEqual([
        ['MONOSPACE', 'npm test'],
        ['MONOSPACE', 'const café = "☕";'],
        ['MONOSPACE', 'ok'],
      ]);
      // "typing…" while the turn ran, on this transport too.
      expect(t.sim.typing.map((x) => [x.via, x.stop])).toEqual([
        [transport, false],
        [transport, true],
      ]);
    },
  );

  it('a 50 KB result arrives as a short message plus a file holding all of it; /full sends it again', async () => {
    t = await createAgentApp();
    const output = Array.from({ length: 1700 }, (_, i) => `row ${i}: ${'·'.repeat(10)} ok`).join(
      '\n',
    );
    expect(Buffer.byteLength(output)).toBeGreaterThan(50_000);
    t.model.reply({ text: output });
    t.sim.phoneSends({ from: OWNER, text: '/new demo dump it' });
    await untilAgent(() => answer(t, 'row 0') !== undefined, 'the result');
    const result = answer(t, 'row 0');
    expect(Buffer.byteLength(result?.message ?? '')).toBeLessThan(2000);
    expect(result?.message.replace(USAGE_FOOTER, '')).toMatch(
      /^row 0: ·+ ok\n[\s\S]*\n\n… \d+ KB in all: the whole answer is attached \(answer\.md\)\.$/,
    );
    expect(result?.attachments.map((a) => [a.filename, a.data.toString()])).toEqual([
      ['answer.md', output],
    ]);
    t.sim.phoneSends({ from: OWNER, text: '/full' });
    await untilAgent(() => answer(t, 'The last answer') !== undefined, 'the full answer');
    const full = answer(t, 'The last answer');
    expect(full?.message).toMatch(/^The last answer, whole \(\d+ KB\): answer\.md$/);
    expect(full?.attachments[0].data.toString()).toBe(output);
  });
});
