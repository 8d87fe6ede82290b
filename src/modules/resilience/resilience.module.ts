import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RateLimitModule } from '../rate-limit';
import { SignalModule } from '../signal';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxHealthIndicator } from './outbox.health';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

@Module({
  imports: [SignalModule, RateLimitModule, TerminusModule],
  providers: [OutboxRepository, OutboxService, OutboxDispatcher, OutboxHealthIndicator],
  exports: [OutboxService, OutboxDispatcher, OutboxHealthIndicator],
})
export class ResilienceModule {}
