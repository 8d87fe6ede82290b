import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../../common/config';
import { ReadinessCheck } from '../../common/health';
import { OutboxService } from './outbox.service';

/** The outbox backlog; down when it holds more than twice its bound (folding cannot keep up). */
@Injectable()
export class OutboxHealthIndicator {
  constructor(
    private readonly outbox: OutboxService,
    private readonly indicators: HealthIndicatorService,
    private readonly config: AppConfig,
  ) {}

  @ReadinessCheck('outbox')
  check(key = 'outbox'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    let depth: number;
    try {
      depth = this.outbox.depth();
    } catch (error) {
      return indicator.down({ message: `cannot read the outbox: ${(error as Error).message}` });
    }
    const details = { depth, oldestAgeSeconds: Math.round(this.outbox.oldestAgeMs() / 1000) };
    return depth > 2 * this.config.outbox.maxPending
      ? indicator.down({ message: 'outbox backlog over twice its bound', ...details })
      : indicator.up(details);
  }
}
