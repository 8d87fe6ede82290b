import { Injectable, Logger } from '@nestjs/common';
import { BootPhase, OnBoot } from '../../common/boot';
import { Clock, Timer } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { Conversation, conversationKey } from '../../common/conversations';
import { Approval, ApprovalState } from './approval.entity';
import { approvalMessage, describeToolCall, PLAN_TOOL } from './approval-message';
import { ApprovalMessages } from './approval-messages.service';
import { projectName } from '../sessions';
import { ApprovalRepository } from './approval.repository';
import { ApprovalPolicy, PermissionRules } from './approval-policy.service';
import { ApprovalsMetrics } from './approvals.metrics';
import { fallbackRule } from './session-rules.service';

export interface ApprovalAsk {
  sessionId: string;
  conversation: Conversation;
  /** The turn asking; ties its approvals together. */
  turnKey: string;
  projectPath: string;
  toolName: string;
  input: Record<string, unknown>;
  /** What the agent said last (shown with a plan, which ExitPlanMode itself does not carry). */
  said?: string;
  /** The rule Claude Code suggests for allowing calls like this one (`Bash(npm test *)`). */
  suggestedRule?: string;
  /** Whether the agent runs its commands in Claude Code's sandbox. */
  sandboxed: boolean;
  /** Aborts when the turn is interrupted: the question is withdrawn. */
  signal: AbortSignal;
}

/** What Claude Code's sandbox asks about when a command reaches for a domain off its list. */
const SANDBOX_NETWORK_TOOL = 'SandboxNetworkAccess';

/** The permission modes a plan may be carried out in (the SDK's names for ask and edits). */
export type PlanMode = 'default' | 'acceptEdits';

export type ApprovalOutcome =
  | {
      behavior: 'allow';
      updatedInput: Record<string, unknown>;
      mode?: PlanMode;
      /** `/always`: this rule holds for the rest of the running turn too. */
      addRule?: string;
    }
  | { behavior: 'deny'; message: string; interrupt?: boolean; expired?: boolean };

export type DecideResult =
  | { kind: 'decided'; id: number; also: number[]; rule?: string; mode?: PlanMode }
  | { kind: 'unknown' }
  | { kind: 'already'; id: number; state: ApprovalState }
  | { kind: 'high-risk'; id: number }
  | { kind: 'not-a-plan'; id: number };

export interface DecideOptions {
  reason?: string;
  /** `/approve all`: this one and every further request of the same turn. */
  all?: boolean;
  /** `/always`: approve, and add the rule Claude Code suggested for the session from now on. */
  always?: boolean;
  /** A reaction or a bare "yes" rather than the id typed out. */
  casual?: boolean;
  /** A plan (ExitPlanMode) approved to be carried out in this mode. */
  mode?: PlanMode;
}

/** What an approval carries to the waiting tool besides approved or not. */
interface Extras {
  mode?: PlanMode;
  addRule?: string;
}

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
  /** Turns whose remaining requests `/approve all` covered. */
  private readonly approvedTurns = new Set<string>();

  constructor(
    private readonly repository: ApprovalRepository,
    private readonly messages: ApprovalMessages,
    private readonly policy: ApprovalPolicy,
    private readonly metrics: ApprovalsMetrics,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** The rules Claude Code matches for a session's turn; only what they do not settle is asked. */
  permissionRules(sessionId: string): Promise<PermissionRules> {
    return this.policy.permissionRules(sessionId);
  }

  /** Why this call is high risk, or null: such a call is asked even where a rule allows it. */
  highRisk(
    toolName: string,
    input: Record<string, unknown>,
    projectPath: string,
  ): Promise<string | null> {
    return this.policy.highRisk(toolName, input, projectPath);
  }

  /** Resolves when the tool may run (with its input unchanged) or must not. */
  async request(ask: ApprovalAsk): Promise<ApprovalOutcome> {
    if (ask.toolName === SANDBOX_NETWORK_TOOL) {
      // The sandbox asks before reaching a domain outside its list: the list is the answer.
      this.metrics.outcome('denied');
      const host = typeof ask.input.host === 'string' ? ask.input.host : 'that host';
      return {
        behavior: 'deny',
        message: `Network access to ${host} is not allowed: it is not in SANDBOX_ALLOWED_DOMAINS.`,
      };
    }
    const risk = await this.policy.highRisk(ask.toolName, ask.input, ask.projectPath);
    const covered =
      !risk && (this.policy.readOnly(ask.toolName) || this.approvedTurns.has(ask.turnKey));
    if (covered) {
      this.metrics.outcome('allowed');
      return { behavior: 'allow', updatedInput: ask.input };
    }
    if (ask.signal.aborted) {
      this.metrics.outcome('cancelled');
      return cancelled();
    }
    const alwaysRule = ask.suggestedRule ?? fallbackRule(ask.toolName, ask.input);
    const id = this.repository.insert({
      sessionId: ask.sessionId,
      conversationKey: conversationKey(ask.conversation),
      turnKey: ask.turnKey,
      toolName: ask.toolName,
      input: JSON.stringify(ask.input),
      highRisk: risk !== null,
      risk,
      alwaysRule,
      createdAt: this.clock.nowIso(),
    });
    const project = projectName(ask);
    const body = approvalMessage({
      id,
      project,
      toolName: ask.toolName,
      description: describeToolCall(ask.toolName, ask.input, ask.projectPath, ask.said),
      risk,
      alwaysRule,
      protection: ask.toolName === 'Bash' ? this.protection(ask.sandboxed, project) : undefined,
    });
    this.messages.ask(id, ask.conversation, body);
    return new Promise<ApprovalOutcome>((resolve) => {
      const timer = this.clock.schedule(
        () => this.expire(id),
        this.config.approvals.timeoutMs,
        'approval-timeout',
      );
      this.waiters.set(id, { resolve, input: ask.input, startedAt: this.clock.nowMs(), timer });
      ask.signal.addEventListener('abort', () => this.settle(id, 'cancelled', 'the turn ended'), {
        once: true,
      });
    });
  }

  /** One line on what confines an approved command. */
  private protection(sandboxed: boolean, project: string): string {
    if (!sandboxed) return '⚠️ No sandbox: it runs with your full access.';
    const domains = this.config.sandbox.allowedDomains;
    const network = domains.length ? `reach only ${domains.join(', ')}` : 'reach no network';
    return `🔒 Sandboxed: it can write only inside ${project} and ${network}.`;
  }

  /** The owner's answer to approval `id`, from the conversation it was sent to. */
  async decide(
    conversation: string,
    id: number,
    decision: 'approved' | 'rejected',
    options: DecideOptions = {},
  ): Promise<DecideResult> {
    const approval = this.repository.find(id);
    if (!approval || approval.conversationKey !== conversation) return { kind: 'unknown' };
    if (approval.state !== 'pending') return { kind: 'already', id, state: approval.state };
    const blanket = options.all || options.always || options.casual;
    if (decision === 'approved' && approval.highRisk && blanket) return { kind: 'high-risk', id };
    if (options.mode && approval.toolName !== PLAN_TOOL) return { kind: 'not-a-plan', id };
    let rule: string | undefined;
    if (decision === 'approved' && options.always) {
      rule = approval.alwaysRule ?? fallbackRule(approval.toolName, JSON.parse(approval.input));
      await this.policy.addRule(approval.sessionId, rule);
    }
    const extras = { mode: options.mode, addRule: rule };
    if (!this.settle(id, decision, options.reason ?? null, extras)) {
      return { kind: 'already', id, state: this.repository.find(id)?.state ?? 'cancelled' };
    }
    const also: number[] = [];
    if (decision === 'approved' && options.all) {
      this.approvedTurns.add(approval.turnKey);
      for (const other of this.repository.pendingOfTurn(approval.turnKey)) {
        if (!other.highRisk && this.settle(other.id, 'approved', null)) also.push(other.id);
      }
    }
    return { kind: 'decided', id, also, rule, mode: options.mode };
  }

  /** The approval asked by the message with this Signal timestamp, in this conversation. */
  findByMessage(conversation: string, timestamp: number): Approval | undefined {
    return this.repository.findByMessage(conversation, timestamp);
  }

  /**
   * A turn ended: its blanket approval ends with it, and a question it left open is withdrawn
   * (nothing is waiting for the answer any more).
   */
  turnEnded(turnKey: string): void {
    this.approvedTurns.delete(turnKey);
    for (const left of this.repository.pendingOfTurn(turnKey)) {
      this.settle(left.id, 'cancelled', 'the turn ended');
    }
  }

  /** Pending approvals in one conversation, oldest first. */
  pendingIn(conversation: string): { id: number; highRisk: boolean }[] {
    return this.repository.pendingIn(conversation).map((a) => ({ id: a.id, highRisk: a.highRisk }));
  }

  /** At boot: approvals left pending by a dead daemon can no longer be answered. */
  @OnBoot(BootPhase.Recovery)
  expireLeftovers(): number {
    const expired = this.repository.expireAllPending('the daemon restarted', this.clock.nowIso());
    // The questions on the phone say so (a question not yet sent is edited once it is).
    for (const approval of expired) this.messages.showOutcome(approval);
    if (expired.length > 0) {
      this.metrics.outcome('expired', expired.length);
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
    extras: Extras = {},
  ): boolean {
    if (!this.repository.decide(id, state, reason, this.clock.nowIso())) return false;
    this.metrics.outcome(state);
    const decided = this.repository.find(id);
    if (decided) this.messages.showOutcome(decided);
    const waiter = this.waiters.get(id);
    if (!waiter) return true;
    this.waiters.delete(id);
    waiter.timer.cancel();
    this.metrics.waited((this.clock.nowMs() - waiter.startedAt) / 1000);
    waiter.resolve(outcomeOf(state, reason, waiter.input, extras));
    return true;
  }
}

function outcomeOf(
  state: Exclude<ApprovalState, 'pending'>,
  reason: string | null,
  input: Record<string, unknown>,
  { mode, addRule }: Extras,
): ApprovalOutcome {
  switch (state) {
    case 'approved':
      return {
        behavior: 'allow',
        updatedInput: input,
        ...(mode ? { mode } : {}),
        ...(addRule ? { addRule } : {}),
      };
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
