import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ChatReplies } from '../commands';
import { RateLimitModule } from '../rate-limit';
import { SessionsModule } from '../sessions';
import { SignalModule } from '../signal';
import { OutboxDispatcher } from './outbox-dispatcher.service';
import { OutboxStatus } from './outbox-status.service';
import { OutboxHealthIndicator } from './outbox.health';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';
import { TypingIndicator } from './typing-indicator.service';

/**
 * The durable outbox: every message to the phone is a row first, sent in order by one
 * dispatcher through the rate limiter. Global, because every producer needs it; it also answers
 * for the commands module through the `ChatReplies` port. It learns about the Signal link from
 * `link.changed` events, not by importing the supervisor.
 */
@Global()
@Module({
  imports: [SignalModule, RateLimitModule, SessionsModule, TerminusModule],
  providers: [
    OutboxRepository,
    OutboxService,
    { provide: ChatReplies, useExisting: OutboxService },
    OutboxDispatcher,
    OutboxHealthIndicator,
    OutboxStatus,
    TypingIndicator,
  ],
  exports: [OutboxService, ChatReplies, TypingIndicator],
})
export class OutboxModule {}
