import { relative, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { isWithin } from '../../common/paths';
import { ApprovalsService, FILE_WRITING_TOOLS } from '../approvals';
import { modeOf, projectName, Session, SessionsService } from '../sessions';
import { explainFailure, lostConversation, plain, retryNotice } from './agent-failures';
import { AgentEvent, AgentRunner, PermissionAnswer, PermissionAsk } from './agent-runner.port';
import { ProgressReporter, relativeToProject } from './progress-reporter.service';
import { RunningTurn } from './running-turn';
import { StopLadder } from './stop-ladder.service';
import { TurnEnd } from './turn-end';
import { TurnReporter } from './turn-reporter.service';

type Ending = TurnEnd & { lostResume?: boolean };

/**
 * Runs one turn from start to end: starts the agent with the session's rules, follows its events
 * (the session id, the files it writes, progress, retries), routes its permission requests to
 * the approvals, and ends with exactly one message to the phone saying how it went. A stored
 * Claude Code conversation that no longer exists is replaced by a fresh one, and the phone told.
 */
@Injectable()
export class TurnRunner {
  constructor(
    private readonly agent: AgentRunner,
    private readonly sessions: SessionsService,
    private readonly approvals: ApprovalsService,
    private readonly reporter: TurnReporter,
    private readonly progress: ProgressReporter,
    private readonly ladder: StopLadder,
  ) {}

  /**
   * Runs the turn to its end. When an approval expired, the session is paused and
   * `dropQueued` drops what was queued behind the turn; what it says ends the turn's message.
   */
  async run(turn: RunningTurn, dropQueued: () => string): Promise<void> {
    const session = await this.sessions.get(turn.job.sessionId);
    this.progress.begin(turn.turnKey, turn.job.conversation, projectName(session));
    try {
      let end = await this.attempt(turn, session, session.agentSessionId ?? undefined);
      if (end.lostResume) {
        await this.sessions.setAgentSessionId(session.id, null);
        this.reporter.notice(
          turn.job.conversation,
          'The earlier Claude Code conversation of this session no longer exists: starting a fresh one. Its earlier context is lost.',
        );
        end = await this.attempt(turn, session, undefined);
      }
      const body = turn.expiredApproval
        ? end.body + (await this.pause(session, dropQueued))
        : end.body;
      await this.reporter.finished({
        ...end,
        body,
        sessionId: session.id,
        to: turn.job.conversation,
        lastTurn: { prompt: turn.job.prompt, files: [...turn.written].sort() },
        seconds: this.ladder.elapsedSeconds(turn),
      });
    } finally {
      this.progress.end(turn.turnKey);
    }
  }

  /** An approval expired: the session is paused, and runs nothing more that was queued. */
  private async pause(session: Session, dropQueued: () => string): Promise<string> {
    const current = await this.sessions.get(session.id);
    if (current.status === 'ACTIVE') await this.sessions.transition(session.id, 'PAUSED', 'ACTIVE');
    return dropQueued();
  }

  /** One run of the agent; says how it ended, and whether resuming failed for a missing session. */
  private async attempt(
    turn: RunningTurn,
    session: Session,
    resume: string | undefined,
  ): Promise<Ending> {
    const rules = await this.approvals.permissionRules(session.id);
    const run = this.agent.start({
      prompt: turn.job.prompt,
      images: turn.job.images,
      cwd: session.projectPath,
      resume,
      permissionMode: modeOf(session),
      ...this.ladder.limits(),
      ...rules,
      screen: (toolName, input) => this.approvals.highRisk(toolName, input, session.projectPath),
      askPermission: (ask) => this.ask(turn, session, ask),
    });
    turn.run = run;
    this.ladder.arm(turn);
    let retriesShown = false;
    let pidRecorded = false;
    try {
      for await (const event of run.events) {
        this.ladder.touch(turn);
        if (!pidRecorded && run.pid) {
          this.sessions.setAgentPid(session.id, run.pid);
          pidRecorded = true;
        }
        if (event.type === 'retry' && !retriesShown) {
          retriesShown = true;
          this.reporter.notice(turn.job.conversation, retryNotice(event));
        }
        if (event.type === 'crash') return this.ending(turn, event, resume);
        if (event.type === 'result') {
          if (event.sessionId) await this.sessions.setAgentSessionId(session.id, event.sessionId);
          const costUsd = await this.turnCost(session, resume, event.costUsd);
          return this.ending(turn, { ...event, costUsd }, resume);
        }
        await this.follow(turn, session, event);
      }
      return {
        outcome: 'crash',
        cause: 'crash',
        body: 'Claude Code stopped without finishing the turn.',
      };
    } finally {
      await this.ladder.reap(run);
      this.sessions.setAgentPid(session.id, null);
    }
  }

  /**
   * What this turn cost. Claude Code reports a total that a resumed conversation carries on
   * from its earlier turns (0.0008, 0.0016, 0.0024 for three alike turns), so the total at the
   * end of the session's last turn is kept and taken off.
   */
  private async turnCost(
    session: Session,
    resume: string | undefined,
    total: number | null,
  ): Promise<number | null> {
    if (total === null) return null;
    const carried = resume && resume === session.agentSessionId ? session.context.agentCostUsd : 0;
    await this.sessions.updateContext(session.id, { agentCostUsd: total });
    const cost = total - (typeof carried === 'number' ? carried : 0);
    return Math.max(0, Math.round(cost * 1e6) / 1e6);
  }

  /** What an event before the end changes: the session id, files written, progress, words. */
  private async follow(turn: RunningTurn, session: Session, event: AgentEvent): Promise<void> {
    switch (event.type) {
      case 'init':
        await this.sessions.setAgentSessionId(session.id, event.sessionId);
        return;
      case 'text':
        turn.lastText = event.text;
        return;
      case 'tool_done': {
        const file = turn.writing.get(event.id);
        if (file && event.ok) turn.written.add(file);
        return;
      }
      case 'tool': {
        const file = writtenFile(session.projectPath, event.name, event.input);
        if (file) turn.writing.set(event.id, file);
        const shown = relativeToProject(session.projectPath, event.input);
        this.progress.step(turn.turnKey, event.name, shown);
        return this.reporter.tool(session.id, event.name, shown);
      }
    }
  }

  private ending(
    turn: RunningTurn,
    event: Extract<AgentEvent, { type: 'result' | 'crash' }>,
    resume: string | undefined,
  ): Ending {
    if (event.type === 'crash') {
      return (
        turn.stopping ?? {
          outcome: 'crash',
          cause: 'crash',
          body: `Claude Code stopped unexpectedly: ${plain(event.message)}`,
        }
      );
    }
    // What the turn cost counts even when it was stopped or failed.
    const usage =
      event.durationMs === null
        ? undefined
        : { durationMs: event.durationMs, numTurns: event.numTurns, costUsd: event.costUsd };
    if (turn.stopping) return { ...turn.stopping, usage };
    if (event.ok) return { outcome: 'success', body: event.text.trim() || 'Done.', usage };
    if (resume && lostConversation(event)) return { outcome: 'error', body: '', lostResume: true };
    if (turn.expiredApproval) {
      return {
        outcome: 'error',
        cause: 'approval_expired',
        body: 'No answer to the approval in time: it was denied, and this session is paused. Send /resume to continue.',
        usage,
      };
    }
    return { outcome: 'error', ...explainFailure(event), usage };
  }

  private ask(turn: RunningTurn, session: Session, ask: PermissionAsk): Promise<PermissionAnswer> {
    turn.asking++;
    return this.approvals
      .request({
        sessionId: session.id,
        conversation: turn.job.conversation,
        turnKey: turn.turnKey,
        projectPath: session.projectPath,
        toolName: ask.toolName,
        input: ask.input,
        said: turn.lastText,
        suggestedRule: ask.suggestedRule,
        sandboxed: turn.run?.sandboxed ?? false,
        signal: ask.signal,
      })
      .then((outcome) => {
        if (outcome.behavior === 'deny' && outcome.expired) turn.expiredApproval = true;
        if (outcome.behavior === 'allow') return outcome;
        return {
          behavior: 'deny' as const,
          message: outcome.message,
          interrupt: outcome.interrupt,
        };
      })
      .finally(() => {
        turn.asking--;
        this.ladder.touch(turn);
      });
  }
}

/** The project-relative file a writing tool call changes; undefined for others or outside. */
function writtenFile(
  projectPath: string,
  tool: string,
  input: Record<string, unknown>,
): string | undefined {
  const path = input.file_path ?? input.notebook_path;
  if (!FILE_WRITING_TOOLS.has(tool) || typeof path !== 'string') return undefined;
  const absolute = resolve(projectPath, path);
  if (absolute === projectPath || !isWithin(absolute, projectPath)) return undefined;
  return relative(projectPath, absolute);
}
