import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { SessionRepository } from '../sessions';
import {
  conversationKey,
  InboundMessage,
  InboundRecordRepository,
  InboundText,
  SignalIntake,
  SignalSender,
  SignalTransport,
} from '../signal';
import { ConversationQueues } from './conversation-queue';
import { PromptRunner } from './prompt-runner';

export const HELP_TEXT = [
  'Commands:',
  '/help: this list',
  '/status: Signal link, sessions, messages waiting',
  '/retry: run the messages I got but could not handle before a restart',
  '/stop: stop the running turn (answered at once, even mid-turn)',
  'Anything else is a prompt for this conversation’s session.',
].join('\n');

/** Commands that must never wait behind a running turn. */
const PRIORITY = new Set(['/stop']);

/**
 * Turns chat text into commands or prompts and answers in the same conversation. Work for one
 * conversation runs in order; priority commands skip the queue.
 */
@Injectable()
export class CommandRouter {
  private readonly logger = new Logger(CommandRouter.name);
  private readonly queues = new ConversationQueues();

  constructor(
    private readonly sender: SignalSender,
    private readonly prompts: PromptRunner,
    private readonly records: InboundRecordRepository,
    private readonly sessions: SessionRepository,
    private readonly intake: SignalIntake,
    private readonly transport: SignalTransport,
    private readonly clock: Clock,
  ) {}

  async handle(message: InboundMessage): Promise<void> {
    if (message.type !== 'text') return; // reactions answer approvals, which are not built yet
    const command = commandOf(message.text);
    if (command && PRIORITY.has(command.name)) {
      await this.execute(message, command);
      return;
    }
    await this.queues.run(conversationKey(message.conversation), () =>
      this.execute(message, command),
    );
  }

  private async execute(message: InboundText, command: Command | undefined): Promise<void> {
    const answer = command ? await this.command(message, command) : await this.prompts.run(message);
    if (answer) await this.sender.send(message.conversation, answer);
  }

  private async command(message: InboundText, command: Command): Promise<string | undefined> {
    switch (command.name) {
      case '/help':
        return HELP_TEXT;
      case '/status':
        return this.status(message);
      case '/retry':
        return this.retry(message);
      case '/stop':
        return 'Nothing is running here.';
      default:
        return `I don't know ${command.name}.\n\n${HELP_TEXT}`;
    }
  }

  private status(message: InboundText): string {
    const counts = this.sessions.countByStatus();
    const waiting = this.records.awaitingRetry(conversationKey(message.conversation)).length;
    return [
      `Signal: ${this.intake.isConnected ? 'connected' : 'reconnecting'} (${this.transport.kind})`,
      `Sessions: ${counts.ACTIVE} active, ${counts.PAUSED} paused, ${counts.CREATED} new`,
      `Waiting for /retry here: ${waiting}`,
    ].join('\n');
  }

  /** Runs this conversation's messages left unhandled by a restart, oldest first. */
  private async retry(message: InboundText): Promise<string | undefined> {
    const pending = this.records
      .awaitingRetry(conversationKey(message.conversation))
      .filter((m): m is InboundText => m.type === 'text' && commandOf(m.text)?.name !== '/retry');
    if (pending.length === 0) return 'Nothing is waiting to be retried here.';
    await this.sender.send(message.conversation, `Running ${pending.length} saved message(s).`);
    for (const saved of pending) {
      try {
        await this.execute(saved, commandOf(saved.text));
      } catch (error) {
        this.logger.error({ msg: 'retry failed', error: (error as Error).message });
      }
      this.records.markHandled(saved.key, this.clock.nowIso());
    }
    return undefined;
  }
}

interface Command {
  name: string;
  args: string;
}

function commandOf(text: string): Command | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('/')) return undefined;
  const [name, ...rest] = trimmed.split(/\s+/);
  return { name: name.toLowerCase(), args: rest.join(' ') };
}
