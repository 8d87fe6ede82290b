import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox';
import { SessionsModule } from '../sessions';
import { ApprovalMessages } from './approval-messages.service';
import { SessionRules } from './session-rules.service';
import { ApprovalCommands } from './approval.commands';
import { ApprovalRepository } from './approval.repository';
import { ApprovalsService } from './approvals.service';
import { ApprovalsMetrics } from './approvals.metrics';
import { ToolRisk } from './tool-risk';
import { ApprovalPolicy } from './approval-policy.service';

/** Approval requests for tool calls: risk classes, persisted questions, answers, timeouts. */
@Module({
  imports: [OutboxModule, SessionsModule],
  providers: [
    ApprovalRepository,
    ApprovalMessages,
    SessionRules,
    ToolRisk,
    ApprovalPolicy,
    ApprovalsService,
    ApprovalCommands,
    ApprovalsMetrics,
  ],
  exports: [ApprovalsService],
})
export class ApprovalsModule {}
