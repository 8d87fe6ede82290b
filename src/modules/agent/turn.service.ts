import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { Conversation } from '../../common/conversations';
import { ApprovalsService } from '../approvals';
import type { HeldMessage } from '../commands';
import { PromptImage } from './agent-runner.port';
import { newTurn, RunningTurn, TurnJob } from './running-turn';
import { StopLadder } from './stop-ladder.service';
import { TurnRunner } from './turn-runner.service';
import { TurnsMetrics } from './turns.metrics';

/**
 * The turn queue: one turn at a time per session, prompts queued behind a running one; different
 * sessions run side by side, at most AGENT_MAX_CONCURRENT_TURNS at once. A session whose next
 * prompt finds every slot taken waits for one, first come first served (a session that just
 * finished a turn goes to the back). Stopping a session's turn drops what was queued behind it,
 * and the phone is told which prompts were not run.
 */
@Injectable()
export class TurnService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TurnService.name);
  private readonly queues = new Map<string, TurnJob[]>();
  private readonly running = new Map<string, RunningTurn>();
  /** Sessions with a prompt ready to start, waiting for a free slot, in order. */
  private readonly waiting: string[] = [];
  private turnNo = 0;

  constructor(
    private readonly runner: TurnRunner,
    private readonly ladder: StopLadder,
    private readonly approvals: ApprovalsService,
    private readonly metrics: TurnsMetrics,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Queues the prompt; returns what the phone is told about where it waits ("Queued: 1 ahead.",
   * "Waiting: 2 turns are running (1 ahead)."), or undefined when it starts at once.
   */
  submit(
    sessionId: string,
    conversation: Conversation,
    prompt: string,
    options: { images?: PromptImage[]; held?: HeldMessage } = {},
  ): string | undefined {
    const queue = this.queues.get(sessionId) ?? [];
    queue.push({ sessionId, conversation, prompt, ...options });
    this.queues.set(sessionId, queue);
    const ahead = queue.length - 1 + (this.running.has(sessionId) ? 1 : 0);
    if (ahead > 0) return `Queued: ${ahead} ahead.`;
    this.waiting.push(sessionId);
    this.pump();
    const place = this.waiting.indexOf(sessionId);
    if (place < 0) return undefined; // started
    const running = this.running.size === 1 ? '1 turn is' : `${this.running.size} turns are`;
    return `Waiting: ${running} running (${place === 0 ? 'next to start' : `${place} ahead`}).`;
  }

  /** How many turns may run at once. */
  get capacity(): number {
    return this.config.agent.maxConcurrentTurns;
  }

  /** Sessions waiting for a free slot. */
  get waitingCount(): number {
    return this.waiting.length;
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

  /** Drops the session's prompts that wait for a slot or its turn; says how many there were. */
  dropWaiting(sessionId: string): number {
    return this.dropQueue(sessionId);
  }

  /** Forgets the session's queued prompts (the phone is told); says how many there were. */
  private dropQueue(sessionId: string): number {
    const dropped = this.queues.get(sessionId) ?? [];
    this.queues.delete(sessionId);
    const place = this.waiting.indexOf(sessionId);
    if (place >= 0) this.waiting.splice(place, 1);
    for (const job of dropped) job.held?.started();
    return dropped.length;
  }

  /** Starts waiting sessions' next prompts while there are free slots. */
  private pump(): void {
    while (this.running.size < this.capacity && this.waiting.length > 0) {
      this.next(this.waiting.shift() as string);
    }
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
      .run(turn, () => notRun(this.dropQueue(sessionId)))
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
        if (this.queues.get(sessionId)?.length) this.waiting.push(sessionId);
        else this.queues.delete(sessionId);
        this.pump();
      });
  }
}

/** Tells the phone which queued prompts a stop left unrun, so nothing is dropped silently. */
function notRun(dropped: number): string {
  if (dropped === 0) return '';
  return dropped === 1
    ? ' The prompt queued behind it was not run: send it again when you want it.'
    : ` The ${dropped} prompts queued behind it were not run: send them again when you want them.`;
}
