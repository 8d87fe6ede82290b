import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RateLimitHealthIndicator } from './rate-limit.health';
import { RateLimiter } from './rate-limiter';

@Module({
  imports: [TerminusModule],
  providers: [RateLimiter, RateLimitHealthIndicator],
  exports: [RateLimiter, RateLimitHealthIndicator],
})
export class RateLimitModule {}
