import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox';
import { ApprovalCommands } from './approval.commands';
import { ApprovalRepository } from './approval.repository';
import { ApprovalsService } from './approvals.service';

/** Approval requests for tool calls: risk classes, persisted questions, answers, timeouts. */
@Module({
  imports: [OutboxModule],
  providers: [ApprovalRepository, ApprovalsService, ApprovalCommands],
  exports: [ApprovalsService],
})
export class ApprovalsModule {}
