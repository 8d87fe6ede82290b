import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { AgentRun } from './agent-runner.port';
import { RunningTurn } from './running-turn';
import { TurnEnd } from './turn-end';

/**
 * How a turn is bounded and stopped. Limits: no output for AGENT_IDLE_TIMEOUT_SECONDS (a wait for
 * the phone does not count) or longer than AGENT_TURN_TIMEOUT_MINUTES. Stopping: interrupt, then
 * SIGTERM to the agent's process group after AGENT_STOP_GRACE_SECONDS, then SIGKILL after
 * another. Every timer runs on the injected clock.
 */
@Injectable()
export class StopLadder {
  private readonly logger = new Logger(StopLadder.name);

  constructor(
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** The caps the agent applies itself: cost (AGENT_MAX_BUDGET_USD) and steps (AGENT_MAX_TURNS). */
  limits(): { maxBudgetUsd?: number; maxTurns?: number } {
    const { maxBudgetUsd, maxTurns } = this.config.agent;
    return {
      ...(maxBudgetUsd === undefined ? {} : { maxBudgetUsd }),
      ...(maxTurns === undefined ? {} : { maxTurns }),
    };
  }

  /** How long the turn has run, from its start (the first attempt's). */
  elapsedSeconds(turn: RunningTurn): number {
    return (this.clock.nowMs() - turn.startedAt) / 1000;
  }

  /** Starts the overall and idle limits of a run that just started. */
  arm(turn: RunningTurn): void {
    turn.limit?.cancel();
    const limit = this.config.agent.turnTimeoutMs;
    turn.limit = this.clock.schedule(
      () =>
        this.halt(turn, {
          outcome: 'timeout',
          cause: 'too_long',
          body: `Stopped: the turn ran longer than ${Math.round(limit / 60_000)} min.`,
        }),
      limit,
    );
    this.touch(turn);
  }

  /** Restarts the idle limit: called on every event and every answered approval. */
  touch(turn: RunningTurn): void {
    const idle = this.config.agent.idleTimeoutMs;
    turn.idle?.cancel();
    turn.idle = this.clock.schedule(() => {
      if (turn.asking > 0) return this.touch(turn); // waiting for the phone is not idleness
      this.halt(turn, {
        outcome: 'timeout',
        cause: 'silent',
        body: `Stopped: Claude Code sent nothing for ${Math.round(idle / 1000)} s.`,
      });
    }, idle);
  }

  /** Stops the turn for `why`: interrupt, then SIGTERM after the grace, then SIGKILL. */
  halt(turn: RunningTurn, why: TurnEnd): void {
    if (turn.stopping) return;
    turn.stopping = why;
    const run = turn.run;
    if (!run) return;
    const grace = this.config.agent.stopGraceMs;
    void run.interrupt();
    turn.kills.push(
      this.clock.schedule(() => run.kill('SIGTERM'), grace, 'stop-ladder'),
      this.clock.schedule(() => run.kill('SIGKILL'), 2 * grace, 'stop-ladder'),
    );
  }

  /** The turn is over: none of its timers fires any more. */
  disarm(turn: RunningTurn): void {
    for (const timer of [turn.limit, turn.idle, ...turn.kills]) timer?.cancel();
  }

  /** After the agent's last event: its process is gone before the turn counts as over. */
  async reap(run: AgentRun): Promise<void> {
    const grace = this.config.agent.stopGraceMs;
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (run.exited) return;
      const cancel = new AbortController();
      await Promise.race([
        run.whenExited,
        this.clock.sleep(grace, cancel.signal).catch(() => undefined),
      ]);
      cancel.abort();
      if (run.exited) return;
      this.logger.warn({ msg: 'the agent did not exit after its turn; signalling it', signal });
      run.kill(signal);
    }
    await run.whenExited;
  }
}
