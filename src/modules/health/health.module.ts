import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RateLimitModule } from '../rate-limit';
import { ResilienceModule } from '../resilience';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), RateLimitModule, ResilienceModule],
  controllers: [HealthController, MetricsController],
})
export class HealthModule {}
