import { Injectable, Logger } from '@nestjs/common';
import { Conversation, conversationKey } from '../../common/conversations';
import { OutboxService } from '../outbox';
import { AppConfig } from '../../common/config';
import { FILE_WRITING_TOOLS } from '../approvals';
import { ActivityLogService, SessionsService } from '../sessions';
import { formatResult } from './result-format';
import { TurnEnd, LastTurn } from './turn-end';
import { TurnUsageRepository, Usage } from './turn-usage.repository';
import { TurnsMetrics } from './turns.metrics';

/**
 * What a turn tells the phone and the activity log, and the turn metrics. Everything goes
 * through the outbox, so nothing is lost while Signal is away.
 */
@Injectable()
export class TurnReporter {
  private readonly logger = new Logger(TurnReporter.name);

  constructor(
    private readonly outbox: OutboxService,
    private readonly activity: ActivityLogService,
    private readonly usage: TurnUsageRepository,
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
    private readonly metrics: TurnsMetrics,
  ) {}

  /** One tool call the agent made, for the activity log (and so the catch-up summary). */
  async tool(sessionId: string, name: string, input: Record<string, unknown>): Promise<void> {
    if (name === 'Bash') {
      await this.activity.trackActivity(sessionId, 'command', {
        command: String(input.command ?? ''),
      });
    } else if (FILE_WRITING_TOOLS.has(name)) {
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
    this.metrics.ended(options.outcome, options.seconds, options.cause);
    const ok = options.outcome === 'success';
    if (options.usage) {
      this.usage.record({
        ...options.usage,
        sessionId: options.sessionId,
        conversationKey: conversationKey(options.to),
      });
    }
    // The answer is kept whole for /full (the message may show only its start).
    const kept = ok
      ? { lastTurn: options.lastTurn, lastResult: options.body }
      : { lastTurn: options.lastTurn };
    // Not kept (the session was ended meanwhile, say): the answer itself still goes out.
    await this.sessions
      .updateContext(options.sessionId, kept)
      .catch((error: unknown) => this.notKept('the last turn, for /diff and /full', error));
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
      .catch((error: unknown) => this.notKept('the turn in the activity log', error));
  }

  private notKept(what: string, error: unknown): void {
    this.logger.warn({ msg: `could not keep ${what}`, error: (error as Error).message });
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
