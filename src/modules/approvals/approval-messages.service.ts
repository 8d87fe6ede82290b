import { Injectable } from '@nestjs/common';
import { Conversation, conversationFromKey } from '../../common/conversations';
import { EventBus } from '../../common/events';
import { OutboxService } from '../outbox';
import { Approval } from './approval.entity';
import { ApprovalRepository } from './approval.repository';

/**
 * The approval question on the phone: sent as an urgent message, remembered by the timestamp
 * Signal gives it (replies and reactions point at that), and edited in place once decided, so
 * the chat never shows a stale question.
 */
@Injectable()
export class ApprovalMessages {
  constructor(
    private readonly repository: ApprovalRepository,
    private readonly outbox: OutboxService,
    events: EventBus,
  ) {
    events.on('outbox.sent', ({ id, kind, signalTimestamp }) => {
      if (kind !== 'approval') return;
      const approval = this.repository.setMessageTimestamp(id, signalTimestamp);
      // Decided before Signal even had the question: show the outcome now.
      if (approval && approval.state !== 'pending') this.showOutcome(approval);
    });
  }

  ask(id: number, to: Conversation, body: string): void {
    const outboxId = this.outbox.enqueue({ to, body, kind: 'approval' });
    this.repository.setMessage(id, body, outboxId);
  }

  /** Edits the question to show how it was decided (once Signal has it). */
  showOutcome(approval: Approval): void {
    if (approval.messageTimestamp === null || !approval.message) return;
    const question = approval.message.split('\n').filter((line) => !line.startsWith('Answer /'));
    this.outbox.enqueue({
      to: conversationFromKey(approval.conversationKey),
      body: [...question, outcomeLine(approval)].join('\n'),
      kind: 'notice',
      editOf: approval.messageTimestamp,
    });
  }
}

function outcomeLine(approval: Approval): string {
  switch (approval.state) {
    case 'approved':
      return '✅ Approved.';
    case 'rejected':
      return approval.reason ? `❌ Rejected: ${approval.reason}` : '❌ Rejected.';
    case 'expired':
      return `⌛ Expired: ${approval.reason ?? 'no answer'}; denied.`;
    case 'cancelled':
      return '⏹ Withdrawn: the turn ended.';
    default:
      return '';
  }
}
