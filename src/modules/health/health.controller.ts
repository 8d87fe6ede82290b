import { Controller, Get, OnModuleInit } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorResult,
} from '@nestjs/terminus';
import { MethodDiscovery } from '../../common/discovery';
import { READINESS_CHECK } from '../../common/health';

/**
 * Liveness says the process serves requests; it never depends on the database or Signal, so
 * an outage there does not get the daemon restarted. Readiness runs every `@ReadinessCheck`
 * that a module declares, and names each failing part.
 */
@Controller('health')
export class HealthController implements OnModuleInit {
  private checks: HealthIndicatorFunction[] = [];

  constructor(
    private readonly health: HealthCheckService,
    private readonly discovery: MethodDiscovery,
  ) {}

  onModuleInit(): void {
    this.checks = this.discovery
      .find<string>(READINESS_CHECK)
      .sort((a, b) => a.metadata.localeCompare(b.metadata))
      .map(
        (found) => () =>
          found.call(found.metadata) as HealthIndicatorResult | Promise<HealthIndicatorResult>,
      );
  }

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.checks);
  }
}
