import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { Clock } from '../../common/clock';
import { Conversation, conversationKey } from '../../common/conversations';
import { OutboxService } from '../outbox';
import { AppConfig } from '../../common/config';
import { ActivityLogService, SessionsService } from '../sessions';
import { formatResult } from './result-format';
import { TurnUsageRepository, Usage } from './turn-usage.repository';

export type TurnOutcome = 'success' | 'error' | 'stopped' | 'timeout' | 'crash';

/** Why a turn failed, for `bridge_agent_failures_total{cause}`. */
export type FailureCause =
  | 'not_logged_in'
  | 'overloaded'
  | 'model_server'
  | 'limit'
  | 'failed'
  | 'crash'
  | 'silent'
  | 'too_long'
  | 'approval_expired';

/** What a turn was asked and which project files it wrote (project-relative). */
export interface LastTurn {
  prompt: string;
  files: string[];
}

/** How a turn ended: the outcome, what the phone is told, and for a failure its cause. */
export interface TurnEnd {
  outcome: TurnOutcome;
  body: string;
  cause?: FailureCause;
  /** What the agent reported about the turn, when it did. */
  usage?: Usage;
}

/**
 * What a turn tells the phone and the activity log, and the turn metrics. Everything goes
 * through the outbox, so nothing is lost while Signal is away.
 */
@Injectable()
export class TurnReporter {
  private readonly turns: Counter<'outcome'>;
  private readonly durations: Histogram;
  private readonly failures: Counter<'cause'>;

  constructor(
    private readonly outbox: OutboxService,
    private readonly activity: ActivityLogService,
    private readonly usage: TurnUsageRepository,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    registry: Registry,
  ) {
    this.turns = new Counter({
      name: 'bridge_turns_total',
      help: 'Agent turns by outcome: success, error, stopped, timeout, crash.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.durations = new Histogram({
      name: 'bridge_turn_duration_seconds',
      help: 'How long agent turns took, end to end.',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'bridge_agent_failures_total',
      help: 'Failed agent turns by cause: not_logged_in, overloaded, model_server, limit, failed, crash, silent, too_long, approval_expired.',
      labelNames: ['cause'],
      registers: [registry],
    });
  }

  /** One tool call the agent made, for the activity log (and so the catch-up summary). */
  async tool(sessionId: string, name: string, input: Record<string, unknown>): Promise<void> {
    if (name === 'Bash') {
      await this.activity.trackActivity(sessionId, 'command', {
        command: String(input.command ?? ''),
      });
    } else if (['Write', 'Edit', 'MultiEdit', 'NotebookEdit'].includes(name)) {
      await this.activity.trackActivity(sessionId, 'file_edit', {
        path: String(input.file_path ?? input.notebook_path ?? ''),
      });
    } else {
      const target = input.file_path ?? input.pattern ?? input.path;
      await this.activity.trackActivity(sessionId, 'tool', {
        tool: name,
        target: target === undefined ? undefined : String(target),
      });
    }
  }

  /** A notice during the turn (a retry, a lost resume). */
  notice(to: Conversation, body: string): void {
    this.outbox.enqueue({ to, body, kind: 'notice' });
  }

  /** The turn's end: its answer, or why it ended without one. */
  async finished(
    options: TurnEnd & {
      sessionId: string;
      to: Conversation;
      seconds: number;
      /** What the turn was asked and which files it wrote: for /diff and /commit. */
      lastTurn: LastTurn;
    },
  ): Promise<void> {
    this.turns.inc({ outcome: options.outcome });
    if (options.cause) this.failures.inc({ cause: options.cause });
    this.durations.observe(options.seconds);
    const ok = options.outcome === 'success';
    if (options.usage) {
      this.usage.record({
        ...options.usage,
        sessionId: options.sessionId,
        conversationKey: conversationKey(options.to),
        at: this.clock.nowIso(),
      });
    }
    // The answer is kept whole for /full (the message may show only its start).
    const kept = ok
      ? { lastTurn: options.lastTurn, lastResult: options.body }
      : { lastTurn: options.lastTurn };
    await this.sessions.updateContext(options.sessionId, kept).catch(() => undefined); // not kept (the session is gone): the answer itself still goes out
    if (ok) {
      const result = formatResult(options.body, this.config.agent.outputAttachmentBytes);
      const footer = options.usage ? `\n\n${usageFooter(options.usage)}` : '';
      this.outbox.enqueue({
        to: options.to,
        body: result.body + footer,
        kind: 'result',
        styles: result.styles,
        attachment: result.attachment,
      });
    } else {
      this.outbox.enqueue({ to: options.to, body: options.body, kind: 'error' });
    }
    await this.activity
      .trackActivity(options.sessionId, 'turn_result', { ok, summary: firstLine(options.body) })
      .catch(() => undefined); // the session may have been ended meanwhile
  }
}

/** The result's last line: how long, how many model calls, and what it cost, as reported. */
export function usageFooter(usage: Usage): string {
  const parts = [formatDuration(usage.durationMs)];
  if (usage.numTurns !== null) {
    parts.push(`${usage.numTurns} model call${usage.numTurns === 1 ? '' : 's'}`);
  }
  if (usage.costUsd !== null) parts.push(formatCost(usage.costUsd));
  return `— ${parts.join(' · ')}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function formatCost(usd: number): string {
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 80);
}
