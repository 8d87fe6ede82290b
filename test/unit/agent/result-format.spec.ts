import { formatResult, monospaceCode } from '../../../src/modules/agent/result-format';

/** The text each style covers. */
const covered = (r: { body: string; styles: { start: number; length: number }[] }) =>
  r.styles.map((s) => r.body.slice(s.start, s.start + s.length));

describe('result formatting', () => {
  it('turns fenced and inline code into monospace ranges in UTF-16 units, exact around emoji and accents', () => {
    const r = monospaceCode(
      'Voilà 🎉 — run `npm test` first, then:\n```ts\nconst café = "☕";\nexport { café };\n```\nDone ✅ with `ok`.',
    );
    expect(r.body).toBe(
      'Voilà 🎉 — run npm test first, then:\nconst café = "☕";\nexport { café };\nDone ✅ with ok.',
    );
    expect(covered(r)).toEqual(['npm test', 'const café = "☕";\nexport { café };', 'ok']);
    expect(r.styles.every((s) => s.style === ('MONOSPACE' as const))).toBe(true);
  });

  it('leaves text without code alone, and runs an unclosed fence to the end', () => {
    expect(monospaceCode('plain text')).toEqual({ body: 'plain text', styles: [] });
    const r = monospaceCode('see:\n```\nls -la');
    expect(r.body).toBe('see:\nls -la');
    expect(covered(r)).toEqual(['ls -la']);
  });

  it('sends a result over the size as its first lines plus the whole text as a file', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const r = formatResult(text, 4000);
    expect(r.body.split('\n').slice(0, 12)).toEqual(text.split('\n').slice(0, 12));
    expect(r.body.endsWith('\n\n… 60 KB in all: the whole answer is attached (answer.md).')).toBe(
      true,
    );
    expect(r.attachment?.filename).toBe('answer.md');
    expect(r.attachment?.data.toString()).toBe(text);
    expect(formatResult('short', 4000).attachment).toBeUndefined();
  });
});
