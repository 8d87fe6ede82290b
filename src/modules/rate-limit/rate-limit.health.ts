import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessCheck } from '../../common/health';
import { RateLimiter } from './rate-limiter.service';

/** Down while Signal demands a captcha: nothing can be sent until the owner solves it. */
@Injectable()
export class RateLimitHealthIndicator {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @ReadinessCheck('rateLimit')
  check(key = 'rateLimit'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const { state, pausedForMs } = this.limiter.snapshot();
    if (state === 'captcha-required') {
      return indicator.down({
        message: 'captcha required: send /captcha signalcaptcha://… from the phone',
      });
    }
    return indicator.up({ state, pausedForSeconds: Math.ceil(pausedForMs / 1000) });
  }
}
