import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessCheck } from '../../common/health';
import { ConnectionSupervisor } from './connection-supervisor.service';

/** Down while the Signal link is not CONNECTED (liveness does not look at it). */
@Injectable()
export class SignalLinkHealthIndicator {
  constructor(
    private readonly connection: ConnectionSupervisor,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @ReadinessCheck('signal')
  check(key = 'signal'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const details = { state: this.connection.state, attempt: this.connection.attempt };
    return this.connection.isConnected
      ? indicator.up(details)
      : indicator.down({ message: `Signal link is ${this.connection.state}`, ...details });
  }
}
