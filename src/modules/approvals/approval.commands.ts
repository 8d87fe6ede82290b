import { Injectable } from '@nestjs/common';
import { ChatCommand, ChatContext, StatusPart } from '../commands';
import { ApprovalsService, DecideResult } from './approvals.service';

/** `/approve` and `/reject`: answered at once, never behind the turn that is waiting for them. */
@Injectable()
export class ApprovalCommands {
  constructor(private readonly approvals: ApprovalsService) {}

  @ChatCommand({
    name: '/approve',
    args: '[id]',
    summary: 'let the tool call waiting for approval run',
    usage:
      'With one approval waiting here the id may be left out. A high-risk call needs its id typed out.',
    priority: true,
  })
  approve({ args, conversationKey }: ChatContext): string {
    const target = this.target(conversationKey, args, 'approve');
    if (typeof target === 'string') return target;
    return answer(this.approvals.decide(conversationKey, target.id, 'approved'), 'Approved');
  }

  @ChatCommand({
    name: '/reject',
    args: '[id] [reason]',
    summary: 'refuse the tool call waiting for approval; the reason goes to Claude',
    usage:
      'With one approval waiting here the id may be left out: "/reject too risky" rejects it with the reason "too risky".',
    priority: true,
  })
  reject({ args, conversationKey }: ChatContext): string {
    const target = this.target(conversationKey, args, 'reject');
    if (typeof target === 'string') return target;
    const reason = target.rest || undefined;
    return answer(
      this.approvals.decide(conversationKey, target.id, 'rejected', reason),
      'Rejected',
    );
  }

  @StatusPart(60)
  waiting({ conversationKey }: ChatContext): string {
    const pending = this.approvals.pendingIn(conversationKey).map((p) => p.id);
    return `Approvals waiting here: ${pending.length === 0 ? 'none' : pending.join(', ')}`;
  }

  /** Which approval the answer is about: an id typed first, or the only one waiting here. */
  private target(
    conversation: string,
    args: string,
    verb: string,
  ): { id: number; rest: string } | string {
    const [first = '', ...rest] = args.split(/\s+/).filter(Boolean);
    // A number first is an id (decided or unknown ones get their own answer); other words are
    // the reason, for the only approval waiting here.
    if (/^\d+$/.test(first)) return { id: Number(first), rest: rest.join(' ') };
    const pending = this.approvals.pendingIn(conversation);
    if (pending.length === 0) return 'Nothing is waiting for approval here.';
    if (pending.length > 1) {
      const ids = pending.map((p) => p.id).join(', ');
      return `Several approvals are waiting here (${ids}): say which, e.g. /${verb} ${pending[0].id}.`;
    }
    const only = pending[0];
    if (only.highRisk && verb === 'approve') {
      return `Approval ${only.id} is high risk: type /approve ${only.id} to approve it.`;
    }
    return { id: only.id, rest: args.trim() };
  }
}

function answer(result: DecideResult, done: string): string {
  switch (result.kind) {
    case 'decided':
      return `${done} ${result.id}.`;
    case 'unknown':
      return 'There is no such approval in this conversation.';
    case 'already':
      return `Approval ${result.id} was already ${result.state}.`;
  }
}
