import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { Clock } from './clock';

/**
 * A timer callback that throws or rejects (a database error inside a progress edit, say) is
 * logged and counted in `bridge_timer_failures_total{timer}`, and the daemon goes on.
 */
@Injectable()
export class TimerFailures implements OnModuleInit {
  private readonly logger = new Logger('Timers');
  private readonly failures: Counter<'timer'>;

  constructor(
    private readonly clock: Clock,
    registry: Registry,
  ) {
    this.failures = new Counter({
      name: 'bridge_timer_failures_total',
      help: 'Timer callbacks that threw or rejected (logged; the daemon goes on), by timer.',
      labelNames: ['timer'],
      registers: [registry],
    });
  }

  onModuleInit(): void {
    this.clock.onTimerFailure((timer, error) => {
      this.failures.inc({ timer });
      this.logger.error({
        msg: 'a timer failed; the daemon goes on',
        timer,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
}
