import { Injectable } from '@nestjs/common';
import {
  ChatCommand,
  ChatContext,
  ChatInterceptor,
  InterceptContext,
  StatusPart,
} from '../commands';
import { ApprovalsService, DecideOptions, DecideResult, PlanMode } from './approvals.service';

const YES = /^(yes|y|ok|okay|approve|approved|go|go ahead|👍)[\s.!]*$/i;
/** How a plan may be carried out: `/approve <id> ask` or `/approve <id> edits`. */
const PLAN_MODES: Record<string, PlanMode | undefined> = { ask: 'default', edits: 'acceptEdits' };
const NO = /^(no|n|nope|reject|rejected|stop|👎)\b[\s.!,:]*(.*)$/is;

/**
 * Answers to approvals: `/approve`, `/reject`, `/always`, a "yes"/"no" that quotes the question,
 * or a 👍/👎 on it. All run at once, never behind the turn that is waiting for them.
 */
@Injectable()
export class ApprovalCommands {
  constructor(private readonly approvals: ApprovalsService) {}

  @ChatCommand({
    name: '/approve',
    args: '[id|all] [ask|edits]',
    summary: 'let the tool call waiting for approval run',
    usage:
      'With one approval waiting here the id may be left out. "/approve all" approves it and every further request of the same turn. A high-risk call is approved only by its id typed out. A plan (from /mode plan) is carried out asking before each change, or with "/approve <id> edits" letting file edits run unasked for the rest of that turn.',
    priority: true,
  })
  async approve({ args, conversationKey }: ChatContext): Promise<string> {
    const words = args.trim().split(/\s+/).filter(Boolean);
    const mode = PLAN_MODES[words.at(-1)?.toLowerCase() ?? ''];
    if (mode) words.pop();
    const rest = words.join(' ');
    const all = /^all\b/i.test(rest);
    const target = this.target(conversationKey, all ? '' : rest, 'approve');
    if (typeof target === 'string') return target;
    const typedId = /^\d+/.test(rest);
    return answer(
      await this.approvals.decide(conversationKey, target.id, 'approved', {
        all,
        casual: !typedId && !all,
        mode,
      }),
      'Approved',
    );
  }

  @ChatCommand({
    name: '/reject',
    args: '[id] [reason]',
    summary: 'refuse the tool call waiting for approval; the reason goes to Claude',
    usage:
      'With one approval waiting here the id may be left out: "/reject too risky" rejects it with the reason "too risky".',
    priority: true,
  })
  async reject({ args, conversationKey }: ChatContext): Promise<string> {
    const target = this.target(conversationKey, args, 'reject');
    if (typeof target === 'string') return target;
    const options: DecideOptions = { reason: target.rest || undefined };
    return answer(
      await this.approvals.decide(conversationKey, target.id, 'rejected', options),
      'Rejected',
    );
  }

  @ChatCommand({
    name: '/always',
    args: '[id]',
    summary: 'approve, and add the rule the question names (Claude Code’s own) for this session',
    usage:
      'The rule is the one Claude Code suggests for the call, shown in the question before you answer (for "npm test": Bash(npm test *)). Claude Code matches it, so "npm test && anything" is still asked. High-risk calls cannot be always-allowed, and are asked even where a rule covers them.',
    priority: true,
  })
  async always({ args, conversationKey }: ChatContext): Promise<string> {
    const target = this.target(conversationKey, args, 'always');
    if (typeof target === 'string') return target;
    return answer(
      await this.approvals.decide(conversationKey, target.id, 'approved', { always: true }),
      'Approved',
    );
  }

  /** A "yes"/"no" quoting an approval question, or a 👍/👎 reaction on it. */
  @ChatInterceptor()
  async answerInReply({
    message,
    conversationKey,
  }: InterceptContext): Promise<string | null | undefined> {
    const target = message.type === 'reaction' ? message.targetTimestamp : message.quote?.timestamp;
    if (target === undefined) return undefined;
    const approval = this.approvals.findByMessage(conversationKey, target);
    if (!approval) return undefined;
    let decision: 'approved' | 'rejected' | undefined;
    let reason: string | undefined;
    if (message.type === 'reaction') {
      if (message.isRemove) return null;
      if (message.emoji.startsWith('👍')) decision = 'approved';
      else if (message.emoji.startsWith('👎')) decision = 'rejected';
      else return null;
    } else if (YES.test(message.text.trim())) {
      decision = 'approved';
    } else {
      const no = NO.exec(message.text.trim());
      if (!no) return undefined; // a reply about something else: a prompt
      decision = 'rejected';
      reason = no[2].trim() || undefined;
    }
    const result = await this.approvals.decide(conversationKey, approval.id, decision, {
      casual: true,
      reason,
    });
    return answer(result, decision === 'approved' ? 'Approved' : 'Rejected');
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
    return { id: pending[0].id, rest: args.trim() };
  }
}

function answer(result: DecideResult, done: string): string {
  switch (result.kind) {
    case 'decided': {
      const also = result.also.length > 0 ? ` Also approved: ${result.also.join(', ')}.` : '';
      const rule = result.rule ? ` From now on this session allows ${result.rule}.` : '';
      const plan =
        result.mode === 'acceptEdits'
          ? ' Claude carries out the plan with file edits running unasked (for this turn).'
          : '';
      return `${done} ${result.id}.${also}${rule}${plan}`;
    }
    case 'unknown':
      return 'There is no such approval in this conversation.';
    case 'already':
      return `Approval ${result.id} was already ${result.state}.`;
    case 'high-risk':
      return `Approval ${result.id} is high risk: only /approve ${result.id} typed out approves it.`;
    case 'not-a-plan':
      return `Approval ${result.id} is not a plan: "ask" and "edits" only choose how a plan is carried out.`;
  }
}
