import { Injectable, Logger } from '@nestjs/common';
import { BootPhase, OnBoot } from '../../common/boot';
import { conversationKey } from '../../common/conversations';
import { ChatReplies, preview } from '../commands';
import { InboundMessage } from './inbound-message';
import { InboundRecords } from './inbound-records.service';

/**
 * At boot, before intake starts: messages an earlier run recorded but never handled are never
 * rerun silently; each conversation is told what is waiting and how to run it.
 */
@Injectable()
export class UnhandledOfferService {
  private readonly logger = new Logger(UnhandledOfferService.name);

  constructor(
    private readonly records: InboundRecords,
    private readonly replies: ChatReplies,
  ) {}

  @OnBoot(BootPhase.OfferUnhandled)
  offer(): void {
    // Taken before intake starts, so nothing received from now on is mistaken for a leftover.
    const unhandled = this.records.takeUnhandled();
    const byConversation = new Map<string, InboundMessage[]>();
    for (const message of unhandled) {
      const key = conversationKey(message.conversation);
      byConversation.set(key, [...(byConversation.get(key) ?? []), message]);
    }
    for (const messages of byConversation.values()) {
      const lines = messages.map((m) =>
        m.type === 'text' ? `• “${preview(m.text)}”` : `• a ${m.type}`,
      );
      const text = [
        `I restarted before I could handle ${messages.length} message(s) you sent:`,
        ...lines,
        'Send /retry to run them now.',
      ].join('\n');
      this.replies.enqueue({ to: messages[0].conversation, body: text, kind: 'notice' });
    }
    if (unhandled.length > 0) {
      this.logger.warn({
        msg: 'offered /retry for messages a previous run never handled',
        count: unhandled.length,
      });
    }
  }
}
