import { Injectable } from '@nestjs/common';
import { ChatCommand, ChatContext } from '../commands';
import { OutboxService } from '../outbox';
import { SessionsService } from '../sessions';

/** What the last turn produced, again and whole: `/full`. */
@Injectable()
export class ResultCommands {
  constructor(
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
  ) {}

  @ChatCommand({
    name: '/full',
    summary: 'the last answer here again, whole, as a file',
    usage: 'Sends the last answer of this conversation’s session as answer.md, however long it is.',
  })
  full({ conversation, conversationKey }: ChatContext): string | undefined {
    const session = this.sessions.current(conversationKey);
    const last = session?.context.lastResult;
    if (typeof last !== 'string') return 'No answer here yet.';
    const kb = Math.max(1, Math.ceil(Buffer.byteLength(last) / 1024));
    this.outbox.enqueue({
      to: conversation,
      body: `The last answer, whole (${kb} KB): answer.md`,
      kind: 'reply',
      attachment: { filename: 'answer.md', contentType: 'text/markdown', data: Buffer.from(last) },
    });
    return undefined;
  }
}
