import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConnectionSupervisor, OutboxService } from '../resilience';
import {
  conversationKey,
  InboundMessage,
  InboundPipeline,
  InboundRecordRepository,
  SignalIntake,
} from '../signal';
import { CommandRouter } from './command-router';

const PREVIEW_CHARS = 60;

/**
 * Wires intake to the router at boot. Runs after crash recovery (RecoveryModule is imported
 * below us, so its bootstrap hook has run): first tells owners about messages an earlier run
 * recorded but never handled, then starts receiving.
 */
@Injectable()
export class CommandsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(CommandsService.name);

  constructor(
    private readonly pipeline: InboundPipeline,
    private readonly router: CommandRouter,
    private readonly records: InboundRecordRepository,
    private readonly outbox: OutboxService,
    private readonly intake: SignalIntake,
    private readonly connection: ConnectionSupervisor,
  ) {}

  onApplicationBootstrap(): void {
    this.pipeline.setHandler((message) => this.router.handle(message));
    // Taken before intake starts, so nothing received from now on is mistaken for a leftover.
    const unhandled = this.records.takeUnhandled();
    this.intake.start();
    this.connection.start();
    this.offerRetries(unhandled);
  }

  /** Never reruns silently: each conversation is told what is waiting and how to run it. */
  private offerRetries(unhandled: InboundMessage[]): void {
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
      this.outbox.enqueue({ to: messages[0].conversation, body: text, kind: 'notice' });
    }
    if (unhandled.length > 0) {
      this.logger.warn({
        msg: 'offered /retry for messages a previous run never handled',
        count: unhandled.length,
      });
    }
  }
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= PREVIEW_CHARS ? flat : `${flat.slice(0, PREVIEW_CHARS - 1)}…`;
}
