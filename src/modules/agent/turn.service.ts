import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Conversation } from '../../common/conversations';
import { ApprovalsService } from '../approvals';
import { Session, SessionsService } from '../sessions';
import type { HeldMessage } from '../commands';
import { PromptImage } from './agent-runner.port';
import { newTurn, RunningTurn, TurnJob } from './running-turn';
import { StopLadder } from './stop-ladder.service';
import { TurnRunner } from './turn-runner.service';
import { TurnsMetrics } from './turns.metrics';

/**
 * The turn queue: one turn at a time per session, prompts queued behind a running one; different
 * sessions run side by side. Stopping a session's turn drops what was queued behind it, and the
 * phone is told which prompts were not run.
 */
@Injectable()
export class TurnService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TurnService.name);
  private readonly queues = new Map<string, TurnJob[]>();
  private readonly running = new Map<string, RunningTurn>();
  private turnNo = 0;

  constructor(
    private readonly runner: TurnRunner,
    private readonly ladder: StopLadder,
    private readonly approvals: ApprovalsService,
    private readonly sessions: SessionsService,
    private readonly metrics: TurnsMetrics,
    private readonly clock: Clock,
  ) {}

  /** Queues the prompt; returns how many turns of this session are ahead of it. */
  submit(
    sessionId: string,
    conversation: Conversation,
    prompt: string,
    options: { images?: PromptImage[]; held?: HeldMessage } = {},
  ): number {
    const queue = this.queues.get(sessionId) ?? [];
    queue.push({ sessionId, conversation, prompt, ...options });
    this.queues.set(sessionId, queue);
    const ahead = queue.length - 1 + (this.running.has(sessionId) ? 1 : 0);
    if (!this.running.has(sessionId)) this.next(sessionId);
    return ahead;
  }

  isRunning(sessionId: string): boolean {
    return this.running.has(sessionId);
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** Stops the session's running turn and drops its queued prompts; false if none was running. */
  async stop(sessionId: string, body = 'Stopped: the turn was interrupted.'): Promise<boolean> {
    const dropped = this.dropQueue(sessionId);
    const turn = this.running.get(sessionId);
    if (!turn) return false;
    this.ladder.halt(turn, { outcome: 'stopped', body: body + notRun(dropped) });
    await turn.done;
    return true;
  }

  /** Shutdown: every running turn is interrupted and its end persisted before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    // Queued prompts are not marked handled: the next boot offers them back for /retry.
    this.queues.clear();
    await Promise.all(
      [...this.running.keys()].map((id) =>
        this.stop(id, 'Stopped: the daemon is shutting down. Send /resume after it is back.'),
      ),
    );
  }

  /** Forgets the session's queued prompts (the phone is told); says how many there were. */
  private dropQueue(sessionId: string): number {
    const dropped = this.queues.get(sessionId) ?? [];
    this.queues.delete(sessionId);
    for (const job of dropped) job.held?.started();
    return dropped.length;
  }

  private next(sessionId: string): void {
    const job = this.queues.get(sessionId)?.shift();
    if (!job) {
      this.queues.delete(sessionId);
      return;
    }
    job.held?.started();
    const turn = newTurn(job, `${sessionId}:${++this.turnNo}`, this.clock.nowMs());
    this.running.set(sessionId, turn);
    this.metrics.running(this.running.size);
    turn.done = this.runner
      .run(turn, (session) => this.pauseAfterExpiry(session))
      .catch((error: unknown) => {
        // Not an ending the agent reported: a fault of the daemon's own. The phone is told, and
        // the prompt is kept for /retry.
        this.logger.error({ msg: 'turn failed', error: (error as Error).message });
        job.held?.failed(error);
      })
      .finally(() => {
        this.ladder.disarm(turn);
        this.approvals.turnEnded(turn.turnKey);
        this.running.delete(sessionId);
        this.metrics.running(this.running.size);
        this.next(sessionId);
      });
  }

  /** An approval expired: the session is paused, and runs nothing more that was queued. */
  private async pauseAfterExpiry(session: Session): Promise<string> {
    const current = await this.sessions.get(session.id);
    if (current.status === 'ACTIVE') await this.sessions.transition(session.id, 'PAUSED', 'ACTIVE');
    return notRun(this.dropQueue(session.id));
  }
}

/** Tells the phone which queued prompts a stop left unrun, so nothing is dropped silently. */
function notRun(dropped: number): string {
  if (dropped === 0) return '';
  return dropped === 1
    ? ' The prompt queued behind it was not run: send it again when you want it.'
    : ` The ${dropped} prompts queued behind it were not run: send them again when you want them.`;
}
