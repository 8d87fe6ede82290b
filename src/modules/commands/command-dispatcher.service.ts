import { Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { Conversation, conversationKey } from '../../common/conversations';
import { EventBus } from '../../common/events';
import type { InboundMessage, InboundText } from '../../common/conversations';
import { errorLabel, failureAnswer, isUserMistake, mistakeAnswer } from './chat-answers';
import { ChatContext, InterceptContext } from './chat-command.decorator';
import { ChatReplies } from './chat-replies';
import { parseCommand } from './command-parser';
import { CommandRegistry } from './command-registry.service';
import { ConversationQueues } from './conversation-queues';

/**
 * What became of a message: `handled`, done and answered; `held`, answered, but its work starts
 * later (`message.started` says when); `failed`, answered with the reason, kept for /retry.
 */
export type HandleOutcome = 'handled' | 'held' | 'failed';

const PREVIEW_CHARS = 60;

/**
 * Routes each message to its command, or plain text to the fallback, and answers in the same
 * conversation. One conversation's messages run in arrival order; priority commands skip the
 * queue. This is the chat edge: whatever a handler throws becomes a short plain answer here.
 */
@Injectable()
export class CommandDispatcher {
  private readonly logger = new Logger(CommandDispatcher.name);
  private readonly queues = new ConversationQueues();
  private readonly failures: Counter<'error'>;

  constructor(
    private readonly registry: CommandRegistry,
    private readonly replies: ChatReplies,
    private readonly events: EventBus,
    metrics: Registry,
  ) {
    this.failures = new Counter({
      name: 'bridge_handling_failures_total',
      help: 'Messages whose handling failed (answered, and kept for /retry), by error.',
      labelNames: ['error'],
      registers: [metrics],
    });
  }

  async handle(message: InboundMessage): Promise<HandleOutcome> {
    if (message.type === 'reaction' || message.quote) {
      const intercepted = await this.intercept(message);
      if (intercepted) return intercepted;
      if (message.type === 'reaction') return 'handled'; // a reaction nobody wants
    }
    const command = parseCommand(message.text);
    if (command && this.registry.find(command.name)?.priority) return this.execute(message);
    return this.queues.run(conversationKey(message.conversation), () => this.execute(message));
  }

  /**
   * Runs one message now, outside its conversation's queue (`/retry` already holds that turn),
   * and answers. Never throws for what a handler does; only a failure to record the answer
   * itself escapes.
   */
  async execute(message: InboundText): Promise<HandleOutcome> {
    const command = parseCommand(message.text);
    let held = false;
    const context: ChatContext = {
      message,
      conversation: message.conversation,
      conversationKey: conversationKey(message.conversation),
      args: command?.args ?? '',
      hold: () => {
        held = true;
        return {
          started: () => this.events.emit('message.started', { key: message.key }),
          failed: (error) => {
            this.answerFailure(message.conversation, `“${preview(message.text)}”`, error);
            this.events.emit('message.failed', { key: message.key });
          },
        };
      },
    };
    let answer: string | undefined;
    try {
      answer = await this.run(command?.name, context);
    } catch (error) {
      const what = command?.name ?? `“${preview(message.text)}”`;
      if (isUserMistake(error)) {
        // Running it again would answer the same: answered, handled, not a failure.
        this.replies.enqueue({
          to: message.conversation,
          body: mistakeAnswer(error, what),
          kind: 'reply',
        });
        return 'handled';
      }
      this.answerFailure(message.conversation, what, error);
      return 'failed';
    }
    if (answer) this.replies.enqueue({ to: message.conversation, body: answer, kind: 'reply' });
    return held ? 'held' : 'handled';
  }

  /** Offers the message to the interceptors, in order; the first that claims it answers. */
  private async intercept(message: InboundMessage): Promise<HandleOutcome | undefined> {
    const context: InterceptContext = {
      message,
      conversation: message.conversation,
      conversationKey: conversationKey(message.conversation),
    };
    for (const interceptor of this.registry.interceptors) {
      let answer: unknown;
      try {
        answer = await interceptor(context);
      } catch (error) {
        const what = message.type === 'text' ? `“${preview(message.text)}”` : 'your reaction';
        this.answerFailure(context.conversation, what, error);
        return 'failed';
      }
      if (answer === undefined) continue;
      if (typeof answer === 'string' && answer) {
        this.replies.enqueue({ to: message.conversation, body: answer, kind: 'reply' });
      }
      return 'handled';
    }
    return undefined;
  }

  private async run(name: string | undefined, context: ChatContext): Promise<string | undefined> {
    if (name === undefined) return this.registry.fallback(context);
    const command = this.registry.find(name);
    return command ? command.run(context) : unknownCommand(name, this.registry);
  }

  private answerFailure(to: Conversation, what: string, error: unknown): void {
    const label = errorLabel(error);
    this.failures.inc({ error: label });
    this.logger.error({
      msg: 'handling a message failed; answered and kept for /retry',
      command: what.startsWith('/') ? what : 'message',
      error: label,
      cause: error instanceof Error ? error.message : String(error),
    });
    this.replies.enqueue({
      to,
      body: failureAnswer(error, what),
      kind: 'error',
    });
  }
}

/** The answer to a command nobody declared: what it is not, and what there is. */
export function unknownCommand(name: string, registry: CommandRegistry): string {
  return `I don't know ${name}.\n\n${helpText(registry)}`;
}

/** The command list, generated from the registry. */
export function helpText(registry: CommandRegistry): string {
  return [
    'Commands:',
    ...registry.all().map((c) => `${c.name}${c.args ? ` ${c.args}` : ''}: ${c.summary}`),
    'Anything else is a prompt for this conversation’s session.',
  ].join('\n');
}

/** One line of at most 60 characters, for quoting a message back. */
export function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= PREVIEW_CHARS ? flat : `${flat.slice(0, PREVIEW_CHARS - 1)}…`;
}
