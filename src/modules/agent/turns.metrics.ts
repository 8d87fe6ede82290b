import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FailureCause, TurnOutcome } from './turn-end';

/** The turn metrics: how many run, how each ended, how long they took, why they failed. */
@Injectable()
export class TurnsMetrics {
  private readonly runningNow: Gauge;
  private readonly turns: Counter<'outcome'>;
  private readonly durations: Histogram;
  private readonly failures: Counter<'cause'>;

  constructor(registry: Registry) {
    this.runningNow = new Gauge({
      name: 'bridge_turns_running',
      help: 'Agent turns running now (at most one per session).',
      registers: [registry],
    });
    this.turns = new Counter({
      name: 'bridge_turns_total',
      help: 'Agent turns by outcome: success, error, stopped, timeout, crash.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.durations = new Histogram({
      name: 'bridge_turn_duration_seconds',
      help: 'How long agent turns took, end to end.',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'bridge_agent_failures_total',
      help: 'Failed agent turns by cause: not_logged_in, overloaded, model_server, sandbox, limit, failed, crash, silent, too_long, approval_expired.',
      labelNames: ['cause'],
      registers: [registry],
    });
  }

  running(count: number): void {
    this.runningNow.set(count);
  }

  ended(outcome: TurnOutcome, seconds: number, cause?: FailureCause): void {
    this.turns.inc({ outcome });
    if (cause) this.failures.inc({ cause });
    this.durations.observe(seconds);
  }
}
