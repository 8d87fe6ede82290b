import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { SessionRepository } from '../sessions';
import { RateLimiter } from '../rate-limit';
import { ConnectionSupervisor, OutboxService } from '../resilience';
import {
  conversationKey,
  InboundMessage,
  InboundRecordRepository,
  InboundText,
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
  '/captcha signalcaptcha://…: lift a Signal rate limit that asks for a captcha',
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
    private readonly outbox: OutboxService,
    private readonly limiter: RateLimiter,
    private readonly prompts: PromptRunner,
    private readonly records: InboundRecordRepository,
    private readonly sessions: SessionRepository,
    private readonly connection: ConnectionSupervisor,
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
    if (answer) this.outbox.enqueue({ to: message.conversation, body: answer, kind: 'reply' });
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
      case '/captcha':
        return this.captcha(command.args);
      default:
        return `I don't know ${command.name}.\n\n${HELP_TEXT}`;
    }
  }

  private status(message: InboundText): string {
    const counts = this.sessions.countByStatus();
    const waiting = this.records.awaitingRetry(conversationKey(message.conversation)).length;
    const limit = this.limiter.snapshot();
    const sending =
      limit.state === 'captcha-required'
        ? 'stopped: Signal wants a captcha (/captcha)'
        : limit.state === 'backing-off'
          ? `paused ${Math.ceil(limit.pausedForMs / 1000)} s by a Signal rate limit`
          : 'ok';
    return [
      this.linkLine(),
      `Sending: ${sending}; ${this.outbox.depth()} waiting in the outbox`,
      `Sessions: ${counts.ACTIVE} active, ${counts.PAUSED} paused, ${counts.CREATED} new`,
      `Waiting for /retry here: ${waiting}`,
    ].join('\n');
  }

  private linkLine(): string {
    const link = this.connection;
    const state = link.state.toLowerCase();
    if (link.isConnected) return `Signal: ${state} (${this.transport.kind})`;
    const since = link.lastConnectedAt;
    const ago =
      since === undefined
        ? 'never connected'
        : `last connected ${Math.round((this.clock.nowMs() - since) / 1000)} s ago`;
    return `Signal: ${state}, attempt ${link.attempt}, ${ago} (${this.transport.kind})`;
  }

  /** Lifts a proof-required rate limit with the captcha the owner solved. */
  private async captcha(args: string): Promise<string> {
    const token = this.limiter.challenge;
    if (!token) return 'Signal is not asking for a captcha right now.';
    if (!args.startsWith('signalcaptcha://')) return CAPTCHA_HELP;
    try {
      await this.transport.submitRateLimitChallenge(token, args);
    } catch (error) {
      return `Signal did not accept that captcha (${(error as Error).message}). ${CAPTCHA_HELP}`;
    }
    this.limiter.liftCaptcha();
    return 'Captcha accepted: sending resumes.';
  }

  /** Runs this conversation's messages left unhandled by a restart, oldest first. */
  private async retry(message: InboundText): Promise<string | undefined> {
    const pending = this.records
      .awaitingRetry(conversationKey(message.conversation))
      .filter((m): m is InboundText => m.type === 'text' && commandOf(m.text)?.name !== '/retry');
    if (pending.length === 0) return 'Nothing is waiting to be retried here.';
    this.outbox.enqueue({
      to: message.conversation,
      body: `Running ${pending.length} saved message(s).`,
      kind: 'notice',
    });
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

export const CAPTCHA_HELP =
  'Solve the captcha at https://signalcaptchas.org/challenge/generate.html, then send ' +
  '/captcha followed by the signalcaptcha://… link it gives you.';

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
