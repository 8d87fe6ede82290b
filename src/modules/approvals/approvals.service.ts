import { Injectable, Logger } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { BootPhase, OnBoot } from '../../common/boot';
import { Clock, Timer } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { Conversation, conversationKey } from '../../common/conversations';
import { OutboxService } from '../outbox';
import { ApprovalState } from './approval.entity';
import { approvalMessage, describeToolCall } from './approval-message';
import { ApprovalRepository } from './approval.repository';
import { classifyTool } from './tool-risk';

export interface ApprovalAsk {
  sessionId: string;
  conversation: Conversation;
  /** The turn asking; ties its approvals together. */
  turnKey: string;
  projectPath: string;
  toolName: string;
  input: Record<string, unknown>;
  /** Aborts when the turn is interrupted: the question is withdrawn. */
  signal: AbortSignal;
}

export type ApprovalOutcome =
  | { behavior: 'allow'; updatedInput: Record<string, unknown> }
  | { behavior: 'deny'; message: string; interrupt?: boolean; expired?: boolean };

export type DecideResult =
  | { kind: 'decided'; id: number }
  | { kind: 'unknown' }
  | { kind: 'already'; id: number; state: ApprovalState };

interface Waiter {
  resolve(outcome: ApprovalOutcome): void;
  input: Record<string, unknown>;
  startedAt: number;
  timer: Timer;
}

/**
 * Approval requests: each tool call the agent asks about is classified; what needs the owner
 * is persisted, sent as an urgent message, and waits (the tool with it) for `/approve`,
 * `/reject`, the timeout, or the turn's end.
 */
@Injectable()
export class ApprovalsService {
  private readonly logger = new Logger(ApprovalsService.name);
  private readonly waiters = new Map<number, Waiter>();
  private readonly outcomes: Counter<'outcome'>;
  private readonly waits: Histogram;

  constructor(
    private readonly repository: ApprovalRepository,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    registry: Registry,
  ) {
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

  /** Resolves when the tool may run (with its input unchanged) or must not. */
  request(ask: ApprovalAsk): Promise<ApprovalOutcome> {
    const verdict = classifyTool(ask.toolName, ask.input, {
      readOnlyTools: this.config.approvals.readOnlyTools,
      deny: this.config.approvals.deny,
      projectPath: ask.projectPath,
    });
    if (verdict.kind === 'allow') {
      this.outcomes.inc({ outcome: 'allowed' });
      return Promise.resolve({ behavior: 'allow', updatedInput: ask.input });
    }
    if (verdict.kind === 'deny') {
      this.outcomes.inc({ outcome: 'denied' });
      return Promise.resolve({ behavior: 'deny', message: verdict.message });
    }
    if (ask.signal.aborted) return Promise.resolve(cancelled());
    const id = this.repository.insert({
      sessionId: ask.sessionId,
      conversationKey: conversationKey(ask.conversation),
      turnKey: ask.turnKey,
      toolName: ask.toolName,
      input: JSON.stringify(ask.input),
      highRisk: verdict.highRisk,
      createdAt: this.clock.nowIso(),
    });
    const body = approvalMessage({
      id,
      project: ask.projectPath.split('/').pop() ?? ask.projectPath,
      toolName: ask.toolName,
      description: describeToolCall(ask.toolName, ask.input, ask.projectPath),
      highRisk: verdict.highRisk,
    });
    this.outbox.enqueue({ to: ask.conversation, body, kind: 'approval', urgent: true });
    return new Promise<ApprovalOutcome>((resolve) => {
      const timer = this.clock.schedule(() => this.expire(id), this.config.approvals.timeoutMs);
      this.waiters.set(id, { resolve, input: ask.input, startedAt: this.clock.nowMs(), timer });
      ask.signal.addEventListener('abort', () => this.settle(id, 'cancelled', 'the turn ended'), {
        once: true,
      });
    });
  }

  /** The owner's answer to approval `id`, from the conversation it was sent to. */
  decide(
    conversation: string,
    id: number,
    decision: 'approved' | 'rejected',
    reason?: string,
  ): DecideResult {
    const approval = this.repository.find(id);
    if (!approval || approval.conversationKey !== conversation) return { kind: 'unknown' };
    if (approval.state !== 'pending') return { kind: 'already', id, state: approval.state };
    if (!this.settle(id, decision, reason ?? null)) {
      const now = this.repository.find(id);
      return { kind: 'already', id, state: now?.state ?? 'cancelled' };
    }
    return { kind: 'decided', id };
  }

  /** Pending approvals in one conversation, oldest first. */
  pendingIn(conversation: string): { id: number; highRisk: boolean }[] {
    return this.repository.pendingIn(conversation).map((a) => ({ id: a.id, highRisk: a.highRisk }));
  }

  countPending(): number {
    return this.repository.countPending();
  }

  /** At boot: approvals left pending by a dead daemon can no longer be answered. */
  @OnBoot(BootPhase.Recovery)
  expireLeftovers(): number {
    const expired = this.repository.expireAllPending('the daemon restarted', this.clock.nowIso());
    if (expired.length > 0) {
      this.outcomes.inc({ outcome: 'expired' }, expired.length);
      this.logger.warn({
        msg: 'expired approvals a previous run left pending',
        count: expired.length,
      });
    }
    return expired.length;
  }

  private expire(id: number): void {
    const minutes = Math.round(this.config.approvals.timeoutMs / 60_000);
    this.settle(id, 'expired', `no answer within ${minutes} min`);
  }

  /** Records the outcome (compare-and-set) and lets the waiting tool go on. */
  private settle(
    id: number,
    state: Exclude<ApprovalState, 'pending'>,
    reason: string | null,
  ): boolean {
    if (!this.repository.decide(id, state, reason, this.clock.nowIso())) return false;
    this.outcomes.inc({ outcome: state });
    const waiter = this.waiters.get(id);
    if (!waiter) return true;
    this.waiters.delete(id);
    waiter.timer.cancel();
    this.waits.observe((this.clock.nowMs() - waiter.startedAt) / 1000);
    waiter.resolve(outcomeOf(state, reason, waiter.input));
    return true;
  }
}

function outcomeOf(
  state: Exclude<ApprovalState, 'pending'>,
  reason: string | null,
  input: Record<string, unknown>,
): ApprovalOutcome {
  switch (state) {
    case 'approved':
      return { behavior: 'allow', updatedInput: input };
    case 'rejected':
      return { behavior: 'deny', message: reason ?? 'The user rejected this from their phone.' };
    case 'expired':
      return {
        behavior: 'deny',
        message: `The user did not answer (${reason ?? 'timed out'}).`,
        interrupt: true,
        expired: true,
      };
    case 'cancelled':
      return cancelled();
  }
}

function cancelled(): ApprovalOutcome {
  return { behavior: 'deny', message: 'The turn was stopped.', interrupt: true };
}
