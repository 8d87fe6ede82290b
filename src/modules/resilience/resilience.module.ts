import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RateLimitModule } from '../rate-limit';
import { SessionsModule } from '../sessions';
import { SignalModule } from '../signal';
import { CatchUpService } from './catch-up.service';
import { ConnectionSupervisor } from './connection-supervisor';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxHealthIndicator } from './outbox.health';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';
import { SignalHealthIndicator } from './signal.health';

@Module({
  imports: [SignalModule, SessionsModule, RateLimitModule, TerminusModule],
  providers: [
    OutboxRepository,
    OutboxService,
    OutboxDispatcher,
    OutboxHealthIndicator,
    ConnectionSupervisor,
    SignalHealthIndicator,
    CatchUpService,
  ],
  exports: [
    OutboxService,
    OutboxDispatcher,
    OutboxHealthIndicator,
    ConnectionSupervisor,
    SignalHealthIndicator,
  ],
})
export class ResilienceModule {}
