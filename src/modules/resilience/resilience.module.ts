import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OutboxModule } from '../outbox';
import { SessionsModule } from '../sessions';
import { SignalModule } from '../signal';
import { CatchUpService } from './catch-up.service';
import { ConnectionMetrics } from './connection.metrics';
import { ConnectionSupervisor } from './connection-supervisor.service';
import { LinkStatus } from './link-status.service';
import { ReconnectBackoff } from './reconnect-backoff.service';
import { SignalLinkHealthIndicator } from './signal-link.health';

/**
 * Keeping the Signal link up: the connection state machine, the reconnect supervisor and its
 * half-open watchdog, catch-up after a reconnect, and the link's health, metrics and status.
 */
@Module({
  imports: [SignalModule, SessionsModule, OutboxModule, TerminusModule],
  providers: [
    ConnectionSupervisor,
    ReconnectBackoff,
    CatchUpService,
    ConnectionMetrics,
    SignalLinkHealthIndicator,
    LinkStatus,
  ],
  exports: [ConnectionSupervisor],
})
export class ResilienceModule {}
