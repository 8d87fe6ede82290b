import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { TurnService } from './turn.service';

/** `bridge_turns_running`, read from the turn service at scrape time. */
@Injectable()
export class TurnsMetrics {
  constructor(registry: Registry, turns: TurnService) {
    new Gauge({
      name: 'bridge_turns_running',
      help: 'Agent turns running now (at most one per session).',
      registers: [registry],
      collect() {
        this.set(turns.runningCount);
      },
    });
  }
}
