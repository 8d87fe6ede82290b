import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from '../../common/database';
import { RateLimitHealthIndicator } from '../rate-limit';
import { OutboxHealthIndicator, SignalHealthIndicator } from '../resilience';

/**
 * Liveness says the process serves requests; it never depends on the database or Signal, so
 * an outage there does not get the daemon restarted. Readiness names each failing part.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly rateLimit: RateLimitHealthIndicator,
    private readonly outbox: OutboxHealthIndicator,
    private readonly signal: SignalHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.check('database'),
      () => this.rateLimit.check('rateLimit'),
      () => this.outbox.check('outbox'),
      () => this.signal.check('signal'),
    ]);
  }
}
