import { Injectable } from '@nestjs/common';
import { ChatCommand, ChatContext } from './chat-command.decorator';
import { helpText, unknownCommand } from './command-dispatcher.service';
import { CommandRegistry } from './command-registry.service';

/** The commands that belong to no feature: /help and /status (assembled from parts). */
@Injectable()
export class CoreCommands {
  constructor(private readonly registry: CommandRegistry) {}

  @ChatCommand({
    name: '/help',
    args: '[command]',
    summary: 'this list, or how to use one command',
  })
  help({ args }: ChatContext): string {
    if (!args) return helpText(this.registry);
    const name = args.split(/\s+/)[0].toLowerCase();
    const command = this.registry.find(name.startsWith('/') ? name : `/${name}`);
    if (!command) return unknownCommand(name.startsWith('/') ? name : `/${name}`, this.registry);
    const head = `${command.name}${command.args ? ` ${command.args}` : ''}`;
    return [head, command.summary, ...(command.usage ? ['', command.usage] : [])].join('\n');
  }

  @ChatCommand({
    name: '/status',
    summary: 'Signal link, sending, sessions, messages waiting',
    usage:
      'Each part of the daemon adds its own line: the Signal link, the outbox and rate limit, sessions by status, and messages waiting for /retry in this conversation.',
  })
  async status(context: ChatContext): Promise<string> {
    const parts = await Promise.all(
      this.registry.statusParts.map(async (part) => await part.lines(context)),
    );
    return parts.flat().join('\n');
  }
}
