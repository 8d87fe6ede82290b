import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { SessionRepository } from './session.repository';
import { SESSION_STATUSES } from './session-status';

/** `bridge_sessions{status}`, counted from the database at scrape time. */
@Injectable()
export class SessionsMetrics {
  constructor(registry: Registry, repository: SessionRepository) {
    new Gauge({
      name: 'bridge_sessions',
      help: 'Sessions by lifecycle status.',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        const counts = repository.countByStatus();
        for (const status of SESSION_STATUSES) this.set({ status }, counts[status]);
      },
    });
  }
}
