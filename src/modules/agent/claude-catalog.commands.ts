import { Injectable } from '@nestjs/common';
import { ChatCommand, ChatContext } from '../commands';
import { SessionsService } from '../sessions';
import { AgentEnvironment } from './agent-environment';
import { PromptGate } from './prompt-gate.service';
import { claudeCommands } from './claude-catalog';
import { TurnService } from './turn.service';

/** The user's own Claude Code commands and agents from the phone: `/commands`, `/run`. */
@Injectable()
export class ClaudeCatalogCommands {
  constructor(
    private readonly sessions: SessionsService,
    private readonly turns: TurnService,
    private readonly environment: AgentEnvironment,
    private readonly gate: PromptGate,
  ) {}

  @ChatCommand({
    name: '/commands',
    summary: 'the Claude Code commands and agents of this project (and yours)',
    usage:
      'Lists the custom slash commands (.claude/commands) and agents (.claude/agents) of the project here and of your user, with their descriptions, as they are on disk now. /run <name> [args] runs one.',
  })
  list({ conversationKey }: ChatContext): string {
    const session = this.sessions.current(conversationKey);
    if (!session) return 'No session here. Start one with /new <project>.';
    const all = claudeCommands(session.projectPath, this.home());
    if (all.length === 0) {
      return 'No custom commands or agents here (.claude/commands, .claude/agents).';
    }
    const line = (c: (typeof all)[number]) =>
      `• ${c.kind === 'command' ? `/${c.name}` : c.name}${c.description ? ` — ${c.description}` : ''}${c.scope === 'user' ? ' (yours)' : ''}`;
    const commands = all.filter((c) => c.kind === 'command').map(line);
    const agents = all.filter((c) => c.kind === 'agent').map(line);
    return [
      ...(commands.length ? ['Commands:', ...commands] : []),
      ...(agents.length ? ['Agents:', ...agents] : []),
      'Run one with /run <name> [args].',
    ].join('\n');
  }

  @ChatCommand({
    name: '/run',
    args: '<name> [args]',
    summary: 'run one of those commands (or agents) as a prompt',
  })
  async run({
    args,
    conversation,
    conversationKey,
    hold,
  }: ChatContext): Promise<string | undefined> {
    const [wanted = '', ...rest] = args.trim().split(/\s+/);
    const name = wanted.replace(/^\//, '');
    if (!name) return 'Which one? /commands lists them; then /run <name> [args].';
    const session = this.sessions.current(conversationKey);
    if (!session) return 'No session here. Start one with /new <project>.';
    if (session.status !== 'ACTIVE') return 'The session here is paused: /resume it first.';
    const found = claudeCommands(session.projectPath, this.home()).find((c) => c.name === name);
    if (!found) return `No command or agent "${name}" here. /commands lists them.`;
    const extra = rest.join(' ');
    const prompt =
      found.kind === 'command'
        ? `/${found.name}${extra ? ` ${extra}` : ''}`
        : `Use the ${found.name} agent${extra ? ` to: ${extra}` : '.'}`;
    const refused = await this.gate.admit();
    if (refused) return refused;
    return this.turns.submit(session.id, conversation, prompt, { held: hold() });
  }

  /** The home folder the agent runs with (its user commands live there). */
  private home(): string | undefined {
    return this.environment.variables().HOME;
  }
}
