import { Injectable, Logger } from '@nestjs/common';
import {
  ChatCommand,
  ChatContext,
  ChatReplies,
  CommandDispatcher,
  parseCommand,
  preview,
  StatusPart,
} from '../commands';
import { InboundText } from './inbound-message';
import { InboundRecords } from './inbound-records.service';

/** `/retry`: runs again what failed or what a restart left unhandled, in this conversation. */
@Injectable()
export class RetryCommand {
  private readonly logger = new Logger(RetryCommand.name);

  constructor(
    private readonly records: InboundRecords,
    private readonly dispatcher: CommandDispatcher,
    private readonly replies: ChatReplies,
  ) {}

  @ChatCommand({
    name: '/retry',
    args: '[list or drop [n]]',
    summary: 'run again the messages here that failed or that a restart left unhandled',
    usage:
      'Runs them oldest first. One that fails again is answered with the reason and stays kept for the next /retry. Kept messages wait until they are run or dropped: /retry list shows them numbered, /retry drop <n> forgets one, /retry drop forgets them all.',
  })
  async retry({ args, conversation, conversationKey }: ChatContext): Promise<string | undefined> {
    const [action, which] = args.trim().toLowerCase().split(/\s+/);
    const pending = this.kept(conversationKey);
    if (action === 'list') return listed(pending);
    if (action === 'drop') return this.drop(pending, which);
    if (action)
      return 'Send /retry to run what is kept here, /retry list to see it, or /retry drop [n].';
    if (pending.length === 0) return 'Nothing is waiting to be retried here.';
    this.replies.enqueue({
      to: conversation,
      body: `Running ${pending.length} saved message(s).`,
      kind: 'notice',
    });
    let failed = 0;
    for (const saved of pending) {
      // Run in place: this conversation's queue is ours while /retry runs.
      const outcome = await this.dispatcher.execute(saved);
      this.records.settle(saved.key, outcome);
      if (outcome === 'failed') failed++;
    }
    if (failed > 0) this.logger.warn({ msg: 'some retried messages failed again', failed });
    return undefined;
  }

  /** The texts waiting for /retry here, oldest first (a /retry itself is not kept for one). */
  private kept(conversationKey: string): InboundText[] {
    return this.records
      .awaitingRetry(conversationKey)
      .filter(
        (m): m is InboundText => m.type === 'text' && parseCommand(m.text)?.name !== '/retry',
      );
  }

  private drop(pending: InboundText[], which: string | undefined): string {
    if (pending.length === 0) return 'Nothing is waiting to be retried here.';
    if (which === undefined) {
      const dropped = pending.filter((m) => this.records.drop(m.key)).length;
      return `Dropped ${dropped} kept message(s); nothing is waiting here now.`;
    }
    const n = Number(which);
    const message = Number.isInteger(n) ? pending[n - 1] : undefined;
    if (!message)
      return `There is no message ${which} here: /retry list shows 1 to ${pending.length}.`;
    this.records.drop(message.key);
    return `Dropped “${preview(message.text)}”.`;
  }

  @StatusPart(40)
  waiting({ conversationKey }: ChatContext): string {
    return `Waiting for /retry here: ${this.records.awaitingRetry(conversationKey).length}`;
  }
}

/** The kept messages, numbered as `/retry drop <n>` takes them. */
function listed(pending: InboundText[]): string {
  if (pending.length === 0) return 'Nothing is waiting to be retried here.';
  return [
    'Kept for /retry here, oldest first:',
    ...pending.map((m, i) => `${i + 1}. “${preview(m.text)}”`),
    'Send /retry to run them, /retry drop <n> to forget one, /retry drop to forget them all.',
  ].join('\n');
}
