import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { ApprovalRepository } from './approval.repository';

/** `bridge_approvals_pending`, counted from the database at scrape time. */
@Injectable()
export class ApprovalsMetrics {
  constructor(registry: Registry, repository: ApprovalRepository) {
    new Gauge({
      name: 'bridge_approvals_pending',
      help: 'Tool calls waiting for the owner to approve or reject them.',
      registers: [registry],
      collect() {
        this.set(repository.pendingCount());
      },
    });
  }
}
