import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveredMethod, MethodDiscovery } from '../../common/discovery';
import {
  CHAT_COMMAND,
  CHAT_FALLBACK,
  CHAT_INTERCEPTOR,
  InterceptContext,
  ChatAnswer,
  ChatCommandOptions,
  ChatContext,
  STATUS_PART,
} from './chat-command.decorator';

export type ChatHandler = (context: ChatContext) => ChatAnswer | Promise<ChatAnswer>;

export interface RegisteredCommand extends Required<Pick<ChatCommandOptions, 'name' | 'summary'>> {
  args: string;
  usage: string;
  priority: boolean;
  owner: string;
  run: ChatHandler;
}

export interface RegisteredStatusPart {
  order: number;
  owner: string;
  lines(context: ChatContext): string | string[] | Promise<string | string[]>;
}

/** What plain text gets when no module takes it (the agent module does, in the daemon). */
export const NO_SESSION_ANSWER =
  'Nothing here takes prompts, so I cannot run that one. Send /help to see what works.';

const NAME = /^\/[a-z][a-z0-9-]*$/;

/**
 * Every chat command, the plain-text fallback and the /status parts, found at boot on provider
 * methods marked with `@ChatCommand`, `@ChatFallback` and `@StatusPart`. Two modules claiming
 * one name, or two fallbacks, stop the boot with both owners named.
 */
@Injectable()
export class CommandRegistry implements OnModuleInit {
  private readonly commands = new Map<string, RegisteredCommand>();
  private fallbackHandler: ChatHandler = () => NO_SESSION_ANSWER;
  private parts: RegisteredStatusPart[] = [];
  private intercepts: ((context: InterceptContext) => unknown)[] = [];

  constructor(private readonly discovery: MethodDiscovery) {}

  onModuleInit(): void {
    for (const found of this.discovery.find<ChatCommandOptions>(CHAT_COMMAND)) this.add(found);
    const fallbacks = this.discovery.find<true>(CHAT_FALLBACK);
    if (fallbacks.length > 1) {
      throw new Error(
        `several handlers for plain text: ${fallbacks.map((f) => f.owner).join(', ')}`,
      );
    }
    if (fallbacks[0]) this.fallbackHandler = asHandler(fallbacks[0]);
    this.intercepts = this.discovery
      .find<true>(CHAT_INTERCEPTOR)
      .map((found) => (context: InterceptContext) => found.call(context));
    this.parts = this.discovery
      .find<number>(STATUS_PART)
      .map((found) => ({
        order: found.metadata,
        owner: found.owner,
        lines: (context: ChatContext) =>
          found.call(context) as string | string[] | Promise<string | string[]>,
      }))
      .sort((a, b) => a.order - b.order);
  }

  find(name: string): RegisteredCommand | undefined {
    return this.commands.get(name);
  }

  /** Every command, by name. */
  all(): RegisteredCommand[] {
    return [...this.commands.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get fallback(): ChatHandler {
    return this.fallbackHandler;
  }

  /** Handlers offered reactions and quoting texts first. */
  get interceptors(): readonly ((context: InterceptContext) => unknown)[] {
    return this.intercepts;
  }

  get statusParts(): readonly RegisteredStatusPart[] {
    return this.parts;
  }

  private add(found: DiscoveredMethod<ChatCommandOptions>): void {
    const options = found.metadata;
    if (!NAME.test(options.name)) {
      throw new Error(`${found.owner}: "${options.name}" is not a command name like /status`);
    }
    const existing = this.commands.get(options.name);
    if (existing) {
      throw new Error(`${options.name} is declared twice: ${existing.owner} and ${found.owner}`);
    }
    this.commands.set(options.name, {
      name: options.name,
      summary: options.summary,
      args: options.args ?? '',
      usage: options.usage ?? '',
      priority: options.priority ?? false,
      owner: found.owner,
      run: asHandler(found),
    });
  }
}

function asHandler(found: DiscoveredMethod<unknown>): ChatHandler {
  return (context) => found.call(context) as ChatAnswer | Promise<ChatAnswer>;
}
