import { isAbsolute, relative, resolve } from 'node:path';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Clock, Timer } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { Conversation } from '../../common/conversations';
import { ApprovalsService } from '../approvals';
import { TypingIndicator } from '../outbox';
import { Session, SessionsService } from '../sessions';
import {
  AgentEvent,
  AgentRun,
  AgentRunner,
  PERMISSION_MODES,
  PermissionAnswer,
  PermissionAsk,
  PermissionMode,
  PromptImage,
} from './agent-runner.port';
import { ProgressReporter, relativeToProject } from './progress-reporter';
import { FailureCause, TurnEnd, TurnReporter } from './turn-reporter';

interface Job {
  sessionId: string;
  conversation: Conversation;
  prompt: string;
  images?: PromptImage[];
  /** Called once the prompt is settled: its turn starts, or it is dropped and the phone told. */
  settled?: () => void;
}

interface Running {
  job: Job;
  turnKey: string;
  run?: AgentRun;
  /** Why the daemon is stopping this turn, once it is. */
  stopping?: TurnEnd;
  /** Approvals the turn is waiting for: silence then is not idleness. */
  asking: number;
  expiredApproval: boolean;
  /** The agent's latest words: in plan mode, the plan its ExitPlanMode asks to carry out. */
  lastText?: string;
  /** Files a writing tool call was made for, by call id, until it is done. */
  writing: Map<string, string>;
  /** Project-relative files the turn wrote (a writing call that succeeded). */
  written: Set<string>;
  /** The overall limit, the idle limit, and the escalation after an interrupt. */
  limit?: Timer;
  idle?: Timer;
  kills: Timer[];
  done: Promise<void>;
}

const NO_CONVERSATION = /No conversation found with session ID/i;

/**
 * Runs agent turns: one at a time per session, prompts queued behind a running one; different
 * sessions run side by side. A turn is bounded (no output for too long, or too long overall),
 * stoppable (interrupt, then SIGTERM, then SIGKILL to its process group), and always ends with
 * one message to the phone saying how it went.
 */
@Injectable()
export class TurnService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TurnService.name);
  private readonly queues = new Map<string, Job[]>();
  private readonly running = new Map<string, Running>();
  private turnNo = 0;

  constructor(
    private readonly runner: AgentRunner,
    private readonly sessions: SessionsService,
    private readonly approvals: ApprovalsService,
    private readonly reporter: TurnReporter,
    private readonly progress: ProgressReporter,
    private readonly typing: TypingIndicator,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Queues the prompt; returns how many turns of this session are ahead of it. */
  submit(
    sessionId: string,
    conversation: Conversation,
    prompt: string,
    options: { images?: PromptImage[]; settled?: () => void } = {},
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
    this.halt(turn, { outcome: 'stopped', body: body + notRun(dropped) });
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
    for (const job of dropped) job.settled?.();
    return dropped.length;
  }

  private next(sessionId: string): void {
    const job = this.queues.get(sessionId)?.shift();
    if (!job) {
      this.queues.delete(sessionId);
      return;
    }
    job.settled?.();
    const turn: Running = {
      job,
      turnKey: `${sessionId}:${++this.turnNo}`,
      asking: 0,
      expiredApproval: false,
      writing: new Map(),
      written: new Set(),
      kills: [],
      done: Promise.resolve(),
    };
    this.running.set(sessionId, turn);
    turn.done = this.execute(turn)
      .catch((error: unknown) => {
        this.logger.error({ msg: 'turn failed', error: (error as Error).message });
      })
      .finally(() => {
        for (const timer of [turn.limit, turn.idle, ...turn.kills]) timer?.cancel();
        this.approvals.turnEnded(turn.turnKey);
        this.running.delete(sessionId);
        this.next(sessionId);
      });
  }

  private async execute(turn: Running): Promise<void> {
    const startedAt = this.clock.nowMs();
    const session = await this.sessions.get(turn.job.sessionId);
    this.progress.begin(turn.turnKey, turn.job.conversation, projectName(session));
    this.typing.start(turn.job.conversation);
    try {
      await this.runAndReport(turn, session, startedAt);
    } finally {
      this.typing.stop(turn.job.conversation);
      this.progress.end(turn.turnKey);
    }
  }

  private async runAndReport(turn: Running, session: Session, startedAt: number): Promise<void> {
    let end = await this.attempt(turn, session, session.agentSessionId ?? undefined);
    if (end.lostResume) {
      await this.sessions.setAgentSessionId(session.id, null);
      this.reporter.notice(
        turn.job.conversation,
        'The earlier Claude Code conversation of this session no longer exists: starting a fresh one. Its earlier context is lost.',
      );
      end = await this.attempt(turn, session, undefined);
    }
    let body = end.body;
    if (turn.expiredApproval) {
      await this.pauseAfterExpiry(session);
      body += notRun(this.dropQueue(session.id)); // a paused session runs nothing more
    }
    await this.reporter.finished({
      ...end,
      sessionId: session.id,
      to: turn.job.conversation,
      body,
      lastTurn: { prompt: turn.job.prompt, files: [...turn.written].sort() },
      seconds: (this.clock.nowMs() - startedAt) / 1000,
    });
  }

  /** One run of the agent; says how it ended, and whether resuming failed for a missing session. */
  private async attempt(
    turn: Running,
    session: Session,
    resume: string | undefined,
  ): Promise<TurnEnd & { lostResume?: boolean }> {
    const rules = await this.approvals.permissionRules(session.id);
    const run = this.runner.start({
      prompt: turn.job.prompt,
      images: turn.job.images,
      cwd: session.projectPath,
      resume,
      permissionMode: modeOf(session),
      ...rules,
      screen: (toolName, input) => this.approvals.highRisk(toolName, input, session.projectPath),
      askPermission: (ask) => this.ask(turn, session, ask),
    });
    turn.run = run;
    this.armTimers(turn);
    let retriesShown = false;
    let pidRecorded = false;
    try {
      for await (const event of run.events) {
        this.touch(turn);
        if (!pidRecorded && run.pid) {
          this.sessions.setAgentPid(session.id, run.pid);
          pidRecorded = true;
        }
        if (event.type === 'text') turn.lastText = event.text;
        if (event.type === 'tool_done') {
          const file = turn.writing.get(event.id);
          if (file && event.ok) turn.written.add(file);
        }
        if (event.type === 'init')
          await this.sessions.setAgentSessionId(session.id, event.sessionId);
        if (event.type === 'tool') {
          const file = writtenFile(session.projectPath, event.name, event.input);
          if (file) turn.writing.set(event.id, file);
          const shown = relativeToProject(session.projectPath, event.input);
          this.progress.step(turn.turnKey, event.name, shown);
          await this.reporter.tool(session.id, event.name, shown);
        }
        if (event.type === 'retry' && !retriesShown) {
          retriesShown = true;
          this.reporter.notice(turn.job.conversation, retryNotice(event));
        }
        if (event.type === 'result' && event.sessionId) {
          await this.sessions.setAgentSessionId(session.id, event.sessionId);
        }
        if (event.type === 'result' || event.type === 'crash') {
          return this.ending(turn, event, resume);
        }
      }
      return {
        outcome: 'crash',
        cause: 'crash',
        body: 'Claude Code stopped without finishing the turn.',
      };
    } finally {
      await this.reap(run);
      this.sessions.setAgentPid(session.id, null);
    }
  }

  private ending(
    turn: Running,
    event: Extract<AgentEvent, { type: 'result' | 'crash' }>,
    resume: string | undefined,
  ): TurnEnd & { lostResume?: boolean } {
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
    if (resume && event.errors.some((e) => NO_CONVERSATION.test(e))) {
      return { outcome: 'error', body: '', lostResume: true };
    }
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

  private ask(turn: Running, session: Session, ask: PermissionAsk): Promise<PermissionAnswer> {
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
        this.touch(turn);
      });
  }

  /** The idle and overall limits, on the injected clock. */
  private armTimers(turn: Running): void {
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
  private touch(turn: Running): void {
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

  /** Interrupt, then SIGTERM the process group after a grace period, then SIGKILL. */
  private halt(turn: Running, why: TurnEnd): void {
    if (turn.stopping) return;
    turn.stopping = why;
    const run = turn.run;
    if (!run) return;
    const grace = this.config.agent.stopGraceMs;
    void run.interrupt();
    turn.kills.push(
      this.clock.schedule(() => run.kill('SIGTERM'), grace),
      this.clock.schedule(() => run.kill('SIGKILL'), 2 * grace),
    );
  }

  /** After the agent's last event: its process is gone before the turn counts as over. */
  private async reap(run: AgentRun): Promise<void> {
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

  private async pauseAfterExpiry(session: Session): Promise<void> {
    const current = await this.sessions.get(session.id);
    if (current.status === 'ACTIVE') await this.sessions.transition(session.id, 'PAUSED', 'ACTIVE');
  }
}

/** Tells the phone which queued prompts a stop left unrun, so nothing is dropped silently. */
function notRun(dropped: number): string {
  if (dropped === 0) return '';
  return dropped === 1
    ? ' The prompt queued behind it was not run: send it again when you want it.'
    : ` The ${dropped} prompts queued behind it were not run: send them again when you want them.`;
}

const WRITING_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

/** The project-relative file a writing tool call changes; undefined for others or outside. */
function writtenFile(
  projectPath: string,
  tool: string,
  input: Record<string, unknown>,
): string | undefined {
  const path = input.file_path ?? input.notebook_path;
  if (!WRITING_TOOLS.has(tool) || typeof path !== 'string') return undefined;
  const rel = relative(projectPath, resolve(projectPath, path));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : undefined;
}

/** The project folder's name, as the phone shows it. */
export function projectName(session: Session): string {
  return session.projectPath.split('/').pop() ?? session.projectPath;
}

/** The session's permission mode, as `/mode` left it (default: ask). */
export function modeOf(session: Session): PermissionMode {
  const mode = session.context.permissionMode;
  return PERMISSION_MODES.includes(mode as PermissionMode) ? (mode as PermissionMode) : 'default';
}

function retryNotice(event: Extract<AgentEvent, { type: 'retry' }>): string {
  const why = event.status === 401 ? 'refuses the login' : 'is failing';
  return `The model server ${why}; Claude Code is retrying (up to ${event.maxRetries} times).`;
}

/** Why a turn failed, in plain words and without addresses or keys, and its cause for metrics. */
export function explainFailure(event: Extract<AgentEvent, { type: 'result' }>): {
  cause: FailureCause;
  body: string;
} {
  const all = [event.text, ...event.errors].join('\n');
  if (
    event.apiErrorStatus === 401 ||
    /authentication|invalid api key|not logged in|\/login/i.test(all)
  ) {
    return {
      cause: 'not_logged_in',
      body: 'Claude Code is not logged in, or its API key is invalid. Log in with `claude` on the computer (or fix ANTHROPIC_API_KEY), then send the prompt again.',
    };
  }
  if (event.apiErrorStatus === 529 || /overloaded/i.test(all)) {
    return {
      cause: 'overloaded',
      body: 'The model server is overloaded: Claude Code gave up after its retries. Send the prompt again in a while.',
    };
  }
  if (event.apiErrorStatus !== null && event.apiErrorStatus >= 500) {
    return {
      cause: 'model_server',
      body: `The model server failed (HTTP ${event.apiErrorStatus}): Claude Code gave up after its retries. Send the prompt again in a while.`,
    };
  }
  if (event.subtype === 'error_max_turns')
    return { cause: 'limit', body: 'Stopped: the turn reached its maximum number of steps.' };
  if (event.subtype === 'error_max_budget_usd')
    return { cause: 'limit', body: 'Stopped: the turn reached its cost budget.' };
  const detail = plain(event.errors[0] ?? event.text ?? '');
  return { cause: 'failed', body: detail ? `The turn failed: ${detail}` : 'The turn failed.' };
}

/** One line, no URLs. */
function plain(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  const clean = line.replace(/https?:\/\/\S+/g, '(address hidden)').trim();
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}
