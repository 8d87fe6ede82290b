import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentTestApp, createAgentApp, phoneTexts, untilAgent } from '../utils/agent-harness';
import { OWNER } from '../utils/signal-harness';

jest.setTimeout(60_000); // the real CLI starts in about a second, on a loaded CI machine slower

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** The content blocks of the user's messages in the model's last request. */
function userBlocks(
  t: AgentTestApp,
): { type: string; source?: { media_type: string; data: string }; text?: string }[] {
  const messages = (t.model.mainRequests.at(-1)?.body.messages ?? []) as {
    role: string;
    content: unknown;
  }[];
  return messages
    .filter((m) => m.role === 'user' && Array.isArray(m.content))
    .flatMap((m) => m.content as { type: string }[]);
}

describe.each(['signal-cli', 'rest'] as const)(
  'files from the phone (%s, real Claude Code CLI)',
  (transport) => {
    let t: AgentTestApp;
    afterEach(() => t.close());

    beforeEach(async () => {
      t = await createAgentApp({ transport });
      t.sim.phoneSends({ from: OWNER, text: '/new demo' });
      await untilAgent(() => phoneTexts(t).length === 1, 'the session');
    });

    it('a photo with "what is in this screenshot?" reaches the agent as an image', async () => {
      t.model.reply({ text: 'A single pixel.' });
      t.sim.phoneSends({
        from: OWNER,
        text: 'what is in this screenshot?',
        attachments: [{ filename: 'screenshot.png', contentType: 'image/png', data: PNG }],
      });
      await untilAgent(() => phoneTexts(t).includes('A single pixel.'), 'the answer');
      const blocks = userBlocks(t);
      const image = blocks.find((b) => b.type === 'image');
      expect(image?.source?.media_type).toBe('image/png');
      expect(Buffer.from(image?.source?.data ?? '', 'base64')).toEqual(PNG);
      expect(
        blocks.some((b) => b.type === 'text' && b.text?.trim() === 'what is in this screenshot?'),
      ).toBe(true);
    });

    it('a 10 MB file over the limit gets a clear refusal, and nothing reaches the agent', async () => {
      t.sim.phoneSends({
        from: OWNER,
        text: 'look at this dump',
        attachments: [
          {
            filename: 'dump.bin',
            contentType: 'application/octet-stream',
            data: Buffer.alloc(10_000_000),
          },
        ],
      });
      await untilAgent(() => phoneTexts(t).length === 2, 'the refusal');
      expect(phoneTexts(t)[1]).toBe(
        '"dump.bin" is 10.0 MB: files from the phone may be at most 5.0 MB. Nothing was passed on to Claude; send a smaller file, or put it in the project at the desk.',
      );
      expect(t.model.mainRequests).toHaveLength(0);
      expect(existsSync(join(t.project, 'phone-uploads'))).toBe(false);
    });

    it('a file named ../../evil.sh lands inside the uploads folder under a safe name, named in the prompt', async () => {
      t.model.reply({ text: 'Saw it.' });
      t.sim.phoneSends({
        from: OWNER,
        text: 'check this script',
        attachments: [
          { filename: '../../evil.sh', contentType: 'text/x-sh', data: Buffer.from('echo hi\n') },
        ],
      });
      await untilAgent(() => phoneTexts(t).includes('Saw it.'), 'the answer');
      expect(readdirSync(join(t.project, 'phone-uploads'))).toEqual(['evil.sh']);
      expect(readFileSync(join(t.project, 'phone-uploads', 'evil.sh'), 'utf8')).toBe('echo hi\n');
      expect(existsSync(join(t.dir, 'evil.sh'))).toBe(false);
      expect(existsSync(join(t.project, '..', '..', 'evil.sh'))).toBe(false);
      expect(JSON.stringify(t.model.mainRequests.at(-1)?.body.messages)).toContain(
        'check this script\\n\\n(Files from the phone, saved in the project: phone-uploads/evil.sh)',
      );
    });
  },
);
