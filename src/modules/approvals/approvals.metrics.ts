import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ApprovalRepository } from './approval.repository';

export type ApprovalOutcomeLabel =
  'allowed' | 'denied' | 'approved' | 'rejected' | 'expired' | 'cancelled';

/**
 * The approval metrics: `bridge_approvals_pending` (counted from the database at scrape time),
 * what became of each tool call, and how long the owner took to answer.
 */
@Injectable()
export class ApprovalsMetrics {
  private readonly outcomes: Counter<'outcome'>;
  private readonly waits: Histogram;

  constructor(registry: Registry, repository: ApprovalRepository) {
    new Gauge({
      name: 'bridge_approvals_pending',
      help: 'Tool calls waiting for the owner to approve or reject them.',
      registers: [registry],
      collect() {
        this.set(repository.pendingCount());
      },
    });
    this.outcomes = new Counter({
      name: 'bridge_approvals_total',
      help: 'Tool calls by what became of them: allowed, denied, approved, rejected, expired, cancelled.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.waits = new Histogram({
      name: 'bridge_approval_wait_seconds',
      help: 'How long approvals waited for the owner.',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    });
  }

  outcome(outcome: ApprovalOutcomeLabel, count = 1): void {
    this.outcomes.inc({ outcome }, count);
  }

  waited(seconds: number): void {
    this.waits.observe(seconds);
  }
}
