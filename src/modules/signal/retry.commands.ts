import { Injectable, Logger } from '@nestjs/common';
import {
  ChatCommand,
  ChatContext,
  ChatReplies,
  CommandDispatcher,
  parseCommand,
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
    summary: 'run again the messages here that failed or that a restart left unhandled',
    usage:
      'Runs them oldest first. One that fails again is answered with the reason and stays kept for the next /retry.',
  })
  async retry({ conversation, conversationKey }: ChatContext): Promise<string | undefined> {
    const pending = this.records
      .awaitingRetry(conversationKey)
      .filter(
        (m): m is InboundText => m.type === 'text' && parseCommand(m.text)?.name !== '/retry',
      );
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

  @StatusPart(40)
  waiting({ conversationKey }: ChatContext): string {
    return `Waiting for /retry here: ${this.records.awaitingRetry(conversationKey).length}`;
  }
}
