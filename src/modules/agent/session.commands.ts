import { Injectable } from '@nestjs/common';
import { ChatCommand, ChatContext, ChatFallback, StatusPart } from '../commands';
import {
  ConversationSettingsService,
  modeOf,
  PermissionMode,
  projectName,
  ProjectPaths,
  Session,
  SessionsService,
} from '../sessions';
import { PromptImage } from './agent-runner.port';
import { PromptGate } from './prompt-gate.service';
import { PhoneUploads } from './phone-uploads.service';
import { TurnService } from './turn.service';

/** What the owner types, and the agent's name for it. */
const MODES: Record<string, PermissionMode> = {
  ask: 'default',
  edits: 'acceptEdits',
  plan: 'plan',
};
const MODE_NAMES: Record<PermissionMode, string> = {
  default: 'ask',
  acceptEdits: 'edits',
  plan: 'plan',
};

/** The answer when a command would change the session while its turn runs. */
const STILL_RUNNING = 'A turn is still running here: /stop it first, or wait for it to finish.';

const LISTED = 10;
const LISTED_PROJECTS = 30;

/** Sessions from the phone: start, list, resume, pause, end; and plain text as a prompt. */
@Injectable()
export class SessionCommands {
  constructor(
    private readonly sessions: SessionsService,
    private readonly turns: TurnService,
    private readonly settings: ConversationSettingsService,
    private readonly paths: ProjectPaths,
    private readonly uploads: PhoneUploads,
    private readonly gate: PromptGate,
  ) {}

  @ChatCommand({
    name: '/new',
    args: '<project> [first prompt]',
    summary: 'start a Claude Code session in a project folder',
    usage:
      'The project is a folder under the configured project roots (a name, or a path inside a root). The session that was active here is paused, not lost: /resume brings it back.',
  })
  async create({ args, conversation, conversationKey, hold }: ChatContext): Promise<string> {
    const [project = '', ...rest] = args.split(/\s+/).filter(Boolean);
    if (!project) return 'Which project? Send /new <project>, e.g. /new api.';
    const current = this.sessions.current(conversationKey);
    if (current && this.turns.isRunning(current.id)) {
      return STILL_RUNNING;
    }
    const session = await this.sessions.create({ conversationId: conversationKey, project });
    await this.activate(conversationKey, session);
    const name = projectName(session);
    const prompt = rest.join(' ');
    // The session stays started; a prompt the sandbox refuses is kept for /retry.
    const refused = prompt ? await this.gate.admit() : undefined;
    if (refused) return `Started a session in ${projectName(session)}. ${refused}`;
    const waits = prompt
      ? this.turns.submit(session.id, conversation, prompt, { held: hold() })
      : undefined;
    if (!prompt) return `Started a session in ${name}. Send a prompt.`;
    return waits
      ? `Started a session in ${name}. ${waits}`
      : `Started a session in ${name}; working on it.`;
  }

  @ChatCommand({ name: '/sessions', summary: 'the sessions of this conversation' })
  async list({ conversationKey }: ChatContext): Promise<string> {
    const all = await this.sessions.list({ conversationId: conversationKey, limit: LISTED });
    if (all.length === 0) return 'No sessions here yet. Start one with /new <project>.';
    const lines = all.map(
      (s) =>
        `• ${shortId(s)} ${projectName(s)}: ${s.status.toLowerCase()}${this.turns.isRunning(s.id) ? ', running a turn' : ''}`,
    );
    return ['Sessions here (newest first):', ...lines, 'Resume one with /resume <id>.'].join('\n');
  }

  @ChatCommand({
    name: '/resume',
    args: '[id]',
    summary: 'continue a paused session (the newest, or the one named)',
  })
  async resume({ args, conversationKey }: ChatContext): Promise<string> {
    const all = await this.sessions.list({ conversationId: conversationKey });
    const wanted = args.trim().toLowerCase();
    const session = wanted
      ? all.find((s) => s.id.startsWith(wanted) || shortId(s) === wanted)
      : all.find((s) => s.status === 'PAUSED' || s.status === 'CREATED');
    if (!session) {
      return wanted
        ? `No session ${wanted} here. /sessions lists them.`
        : 'Nothing here to resume.';
    }
    if (session.status === 'TERMINATED')
      return `Session ${shortId(session)} has ended; start a new one with /new.`;
    if (session.status === 'ACTIVE')
      return `The session in ${projectName(session)} is already active.`;
    const active = all.find((s) => s.status === 'ACTIVE');
    if (active && this.turns.isRunning(active.id)) {
      return STILL_RUNNING;
    }
    await this.activate(conversationKey, session);
    return `Resumed the session in ${projectName(session)}. Send a prompt to continue.`;
  }

  @ChatCommand({
    name: '/projects',
    summary: 'the project folders under the roots, and which conversations use them',
  })
  projects({ conversationKey }: ChatContext): string {
    const bound = this.settings.bindings();
    const lines = this.paths.folders().map(({ name, path }) => {
      const users = bound.get(path) ?? [];
      const here = users.includes(conversationKey);
      const others = users.length - (here ? 1 : 0);
      const notes = [
        ...(here ? ['here'] : []),
        ...(others > 0 ? [`${others} other conversation${others === 1 ? '' : 's'}`] : []),
      ];
      return `• ${name}${notes.length ? ` — ${notes.join(', ')}` : ''}`;
    });
    if (lines.length === 0) return `No project folders under ${this.paths.roots.join(', ')} yet.`;
    return [
      `Projects:`,
      ...lines.slice(0, LISTED_PROJECTS),
      'Bind this conversation with /use <project>.',
    ].join('\n');
  }

  @ChatCommand({
    name: '/use',
    args: '<project>',
    summary: 'bind this conversation to a project (its session there continues)',
    usage:
      "A conversation (a DM, Note to Self or a group) serves one project at a time. /use switches it: the session here is paused, and the project's own session here continues where it left off (Claude remembers it), or a new one starts. The binding survives restarts.",
  })
  async use({ args, conversationKey }: ChatContext): Promise<string> {
    const requested = args.trim();
    if (!requested) return 'Which project? /projects lists them; then /use <project>.';
    const path = this.paths.resolve(requested);
    const all = await this.sessions.list({ conversationId: conversationKey });
    const active = all.find((s) => s.status === 'ACTIVE');
    if (active?.projectPath === path) {
      this.settings.bindProject(conversationKey, path);
      return `Already using ${projectName(active)} here.`;
    }
    if (active && this.turns.isRunning(active.id)) {
      return STILL_RUNNING;
    }
    const earlier = all.find((s) => s.projectPath === path && s.status !== 'TERMINATED');
    const session =
      earlier ?? (await this.sessions.create({ conversationId: conversationKey, project: path }));
    await this.activate(conversationKey, session);
    return earlier
      ? `Using ${projectName(session)} here again: its session continues where it left off.`
      : `Using ${projectName(session)} here: started a session. Send a prompt.`;
  }

  /** Makes `session` the conversation's active one (pausing the one that was) and binds it. */
  private async activate(conversationKey: string, session: Session): Promise<void> {
    const active = this.sessions.current(conversationKey);
    if (active?.status === 'ACTIVE' && active.id !== session.id) {
      await this.sessions.transition(active.id, 'PAUSED', 'ACTIVE');
    }
    if (session.status !== 'ACTIVE') {
      await this.sessions.transition(session.id, 'ACTIVE', session.status);
    }
    this.settings.bindProject(conversationKey, session.projectPath);
  }

  @ChatCommand({
    name: '/pause',
    summary: 'pause this conversation’s session (stops a running turn)',
  })
  async pause({ conversationKey }: ChatContext): Promise<string> {
    const session = this.sessions.current(conversationKey);
    if (!session || session.status !== 'ACTIVE') return 'No active session here.';
    await this.turns.stop(session.id, 'Stopped: the session was paused.');
    await this.sessions.transition(session.id, 'PAUSED', 'ACTIVE');
    return `Paused the session in ${projectName(session)}. /resume continues it.`;
  }

  @ChatCommand({ name: '/end', summary: 'end this conversation’s session for good' })
  async end({ conversationKey }: ChatContext): Promise<string> {
    const session = this.sessions.current(conversationKey);
    if (!session) return 'No session here.';
    await this.turns.stop(session.id, 'Stopped: the session was ended.');
    const now = await this.sessions.get(session.id);
    if (now.status === 'ACTIVE') await this.sessions.transition(session.id, 'PAUSED', 'ACTIVE');
    await this.sessions.transition(session.id, 'TERMINATED');
    return `Ended the session in ${projectName(session)}.`;
  }

  @ChatCommand({
    name: '/stop',
    summary: 'stop the running turn (answered at once, even mid-turn)',
    usage:
      'Interrupts Claude Code, then ends its process if it does not stop. The session stays usable.',
    priority: true,
  })
  async stop({ conversationKey }: ChatContext): Promise<string | undefined> {
    const session = this.sessions.current(conversationKey);
    if (!session) return 'Nothing is running here.';
    if (!this.turns.isRunning(session.id)) {
      const dropped = this.turns.dropWaiting(session.id);
      if (dropped === 0) return 'Nothing is running here.';
      return dropped === 1
        ? 'Dropped the prompt that was waiting for a free slot: send it again when you want it.'
        : `Dropped the ${dropped} prompts that were waiting for a free slot: send them again when you want them.`;
    }
    await this.turns.stop(session.id);
    return undefined; // the turn's own end says "Stopped"
  }

  @ChatFallback()
  async prompt({
    message,
    conversation,
    conversationKey,
    hold,
  }: ChatContext): Promise<string | undefined> {
    const session = this.sessions.current(conversationKey);
    if (!session) {
      return 'There is no session here yet. Start one with /new <project> [prompt]; /help lists the rest.';
    }
    if (session.status !== 'ACTIVE') {
      return `The session in ${projectName(session)} is ${session.status.toLowerCase()}: /resume continues it, /new starts another.`;
    }
    // SANDBOX=on without one: answered, kept for /retry. The daily budget spent: answered.
    const refused = await this.gate.admit();
    if (refused) return refused;
    let prompt = message.text;
    let images: PromptImage[] = [];
    if (message.attachments?.length) {
      const prepared = await this.uploads.prepare(
        message.text,
        message.attachments,
        conversation,
        session.projectPath,
      );
      if ('refusal' in prepared) return prepared.refusal;
      ({ prompt, images } = prepared);
    }
    return this.turns.submit(session.id, conversation, prompt, { images, held: hold() });
  }

  @ChatCommand({
    name: '/mode',
    args: '[ask|edits|plan]',
    summary: 'how much Claude may do without asking, for this session',
    usage:
      'ask: every change and command is asked (the default). edits: file edits run without asking, commands still ask. plan: Claude only reads and plans; its plan arrives as an approval, and approving it lets it carry the plan out. Bypassing permissions is not offered. Kept across restarts; applies from the next turn.',
  })
  async mode({ args, conversationKey }: ChatContext): Promise<string> {
    const session = this.sessions.current(conversationKey);
    if (!session) return 'No session here. Start one with /new <project>.';
    const wanted = args.trim().toLowerCase();
    if (!wanted)
      return `Mode here: ${MODE_NAMES[modeOf(session)]}. /mode ask|edits|plan changes it.`;
    if (wanted === 'bypass' || wanted === 'bypasspermissions') {
      return 'Bypassing permissions is not allowed from the phone: every change is either asked or covered by a rule you chose.';
    }
    const mode = MODES[wanted];
    if (!mode) return 'Modes: ask, edits, plan. /help mode explains them.';
    await this.sessions.updateContext(session.id, { permissionMode: mode });
    return `Mode here: ${wanted}${this.turns.isRunning(session.id) ? ' (from the next turn)' : ''}.`;
  }

  @StatusPart(50)
  running({ conversationKey }: ChatContext): string[] {
    const waiting = this.turns.waitingCount;
    const lines = [
      `Turns running: ${this.turns.runningCount} of at most ${this.turns.capacity}${waiting ? `, ${waiting} waiting for a slot` : ''}`,
    ];
    const session = this.sessions.current(conversationKey);
    if (session) {
      lines.push(
        `Session here: ${projectName(session)}, ${session.status.toLowerCase()}, mode ${MODE_NAMES[modeOf(session)]}`,
      );
    }
    return lines;
  }
}

/** The last 6 hex digits: unique enough within one conversation, short enough to type. */
function shortId(session: Session): string {
  return session.id.replace(/-/g, '').slice(-6);
}
