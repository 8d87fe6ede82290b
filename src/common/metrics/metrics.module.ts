import { Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ProcessGuard } from './process-guard.service';

/**
 * One Prometheus registry per application (not prom-client's global one, so several apps in
 * one test process do not collide). Modules register their own metrics on it.
 */
@Global()
@Module({
  providers: [
    {
      provide: Registry,
      useFactory: () => {
        const registry = new Registry();
        registry.setDefaultLabels({ service: 'claude-signal-bridge' });
        collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    ProcessGuard,
  ],
  exports: [Registry, ProcessGuard],
})
export class MetricsModule {}
