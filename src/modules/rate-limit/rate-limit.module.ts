import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SignalModule } from '../signal';
import { CaptchaCommand } from './captcha.commands';
import { RateLimitHealthIndicator } from './rate-limit.health';
import { RateLimiter } from './rate-limiter.service';

/** Pacing sends to Signal, backing off when it says so, and the captcha flow. */
@Module({
  imports: [TerminusModule, SignalModule],
  providers: [RateLimiter, RateLimitHealthIndicator, CaptchaCommand],
  exports: [RateLimiter],
})
export class RateLimitModule {}
