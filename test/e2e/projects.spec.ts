import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TurnService } from '../../src/modules/agent';
import { SessionsService } from '../../src/modules/sessions';
import {
  AgentTestApp,
  createAgentApp,
  phoneTexts,
  untilAgent,
  USAGE_FOOTER,
} from '../utils/agent-harness';
import { OWNER } from '../utils/signal-harness';

jest.setTimeout(60_000); // the real CLI starts in about a second, on a loaded CI machine slower

const GROUP_A = 'R1JPVVAtQS0wMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=';
const GROUP_B = 'R1JPVVAtQi0wMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=';

/** The text of the user's last message in a model request (the prompt of that turn). */
function lastPrompt(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: unknown }[];
  const user = messages.filter((m) => m.role === 'user').at(-1);
  const content = user?.content;
  if (typeof content === 'string') return content;
  const blocks = (content ?? []) as { type: string; text?: string }[];
  return blocks
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('')
    .replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '')
    .trim();
}

/** Every text the model was shown in a request, joined: what the agent remembers. */
function allText(body: Record<string, unknown>): string {
  return JSON.stringify(body.messages);
}

describe('projects per conversation (real Claude Code CLI)', () => {
  let t: AgentTestApp;
  afterEach(() => t.close());

  it('two groups bound to two projects run turns at the same time, each answer in its own group with its own agent session', async () => {
    t = await createAgentApp();
    mkdirSync(join(t.dir, 'projects', 'api'));
    // Each request waits until both turns have asked: the turns must overlap to get answers.
    let waiting = 0;
    let bothAsked!: () => void;
    const overlap = new Promise<void>((resolve) => (bothAsked = resolve));
    t.model.always(async (body) => {
      if (++waiting === 2) bothAsked();
      await overlap;
      return { text: `Answer to: ${lastPrompt(body)}` };
    });
    t.sim.phoneSends({ from: OWNER, groupId: GROUP_A, text: '/use demo' });
    t.sim.phoneSends({ from: OWNER, groupId: GROUP_B, text: '/use api' });
    await untilAgent(() => t.sim.sent.length === 2, 'both bindings');
    t.sim.phoneSends({ from: OWNER, groupId: GROUP_A, text: 'question for demo' });
    t.sim.phoneSends({ from: OWNER, groupId: GROUP_B, text: 'question for api' });
    await untilAgent(() => t.app.get(TurnService).runningCount === 2, 'two turns at once');
    await untilAgent(() => t.sim.sent.length === 4, 'both answers');
    const inGroup = (groupId: string) =>
      t.sim.sent
        .filter((s) => s.groupId === groupId)
        .map((s) => s.message.replace(USAGE_FOOTER, ''));
    expect(inGroup(GROUP_A)).toEqual([
      'Using demo here: started a session. Send a prompt.',
      'Answer to: question for demo',
    ]);
    expect(inGroup(GROUP_B)).toEqual([
      'Using api here: started a session. Send a prompt.',
      'Answer to: question for api',
    ]);
    const sessions = await t.app.get(SessionsService).list();
    expect(sessions.map((s) => s.projectPath.split('/').pop()).sort()).toEqual(['api', 'demo']);
    const ids = sessions.map((s) => s.agentSessionId);
    expect(new Set(ids).size).toBe(2);
    expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id ?? ''))).toBe(true);
  });

  it('a DM switched to another project and back continues the first session, context and all; /projects shows the binding', async () => {
    t = await createAgentApp();
    mkdirSync(join(t.dir, 'projects', 'api'));
    t.model.always((body) => ({ text: `Answer to: ${lastPrompt(body)}` }));
    const say = async (text: string, count: number): Promise<void> => {
      t.sim.phoneSends({ from: OWNER, text });
      await untilAgent(() => phoneTexts(t).length === count, `the answer to ${text}`);
    };
    await say('/use demo', 1);
    await say('remember the word pelican', 2);
    await say('/use api', 3);
    await say('what about api', 4);
    await say('/use demo', 5);
    await say('which word?', 6);
    await say('/projects', 7);
    expect(phoneTexts(t)).toEqual([
      'Using demo here: started a session. Send a prompt.',
      'Answer to: remember the word pelican',
      'Using api here: started a session. Send a prompt.',
      'Answer to: what about api',
      'Using demo here again: its session continues where it left off.',
      'Answer to: which word?',
      'Projects:\n• api\n• demo — here\nBind this conversation with /use <project>.',
    ]);
    // The demo turn after switching back was shown the earlier demo conversation, not api's.
    const last = t.model.mainRequests.at(-1)?.body ?? {};
    expect(allText(last)).toContain('remember the word pelican');
    expect(allText(last)).not.toContain('what about api');
  });
});
