import fc from 'fast-check';
import { splitMessage, stripNumbering } from '../../../src/modules/outbox/split-message';

const bytes = (s: string) => Buffer.byteLength(s);

describe('splitMessage', () => {
  it('leaves a message within 2000 bytes alone', () => {
    expect(splitMessage('hello')).toEqual(['hello']);
    const exact = 'é'.repeat(1000); // 2000 bytes
    expect(splitMessage(exact)).toEqual([exact]);
  });

  it('splits a 10 KB reply with emoji and code fences into numbered parts of at most 2000 bytes that join back exactly', () => {
    const paragraph = 'Claude edited src/app.ts 🚀 and ran the tests ✅ — all 12 passed. ';
    const code = '```ts\nconst answer = 42; // 🤖\nexport function f() { return answer; }\n```\n';
    let text = '';
    while (bytes(text) < 10_240) text += `${paragraph.repeat(5)}\n${code}`;
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(5);
    parts.forEach((part, i) => {
      expect(bytes(part)).toBeLessThanOrEqual(2000);
      expect(part.startsWith(`(${i + 1}/${parts.length}) `)).toBe(true);
    });
    expect(parts.map(stripNumbering).join('')).toBe(text);
  });

  it('cuts at a line break outside a code fence when there is one', () => {
    const fence = '```\n' + 'x = 1\n'.repeat(200) + '```\n';
    const text = 'intro\n' + 'a'.repeat(900) + '\n' + fence + 'tail';
    const parts = splitMessage(text).map(stripNumbering);
    expect(parts[0]).toBe('intro\n' + 'a'.repeat(900) + '\n');
  });

  it('never cuts inside a character and always joins back, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 0, maxLength: 3000 }), (text) => {
        const parts = splitMessage(text);
        for (const part of parts) {
          expect(bytes(part)).toBeLessThanOrEqual(2000);
          expect(part).toBe(Buffer.from(part).toString()); // valid UTF-8 on its own
        }
        expect(parts.map(stripNumbering).join('')).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
