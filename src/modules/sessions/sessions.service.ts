import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { IdGenerator } from '../../common/ids';
import { ProjectPaths } from './project-paths.service';
import { PausedSession, Session, SessionContext } from './session.entity';
import { SessionError } from './session.errors';
import { SessionFilter, SessionRepository } from './session.repository';
import { isAllowedTransition, SessionStatus } from './session-status';

export interface CreateSessionInput {
  conversationId: string;
  /** A folder name under a project root, or an absolute path inside one. */
  project: string;
  context?: SessionContext;
}

/**
 * The durable session store and its lifecycle state machine, and the queries other modules need
 * (recovery pauses every ACTIVE session, catch-up finds sessions with recent activity).
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly repository: SessionRepository,
    private readonly projectPaths: ProjectPaths,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** Creates a session in CREATED, bound to a real folder inside the project roots. */
  async create(input: CreateSessionInput): Promise<Session> {
    const now = this.clock.nowIso();
    const session = Object.assign(new Session(), {
      id: this.ids.next(),
      conversationId: input.conversationId,
      projectPath: this.projectPaths.resolve(input.project),
      status: 'CREATED' as const,
      agentSessionId: null,
      context: input.context ?? {},
      recoveredAt: null,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: null,
      activityDropped: 0,
      agentPid: null,
    });
    this.repository.insert(session);
    return session;
  }

  async get(id: string): Promise<Session> {
    return this.require(id);
  }

  async find(id: string): Promise<Session | undefined> {
    return this.repository.find(id);
  }

  /** Newest first, optionally filtered by conversation and status. */
  async list(filter: SessionFilter = {}): Promise<Session[]> {
    return this.repository.list(filter);
  }

  /**
   * Moves a session to `to` with one compare-and-set. `expected` is the status the caller
   * believes the session is in (default: the one read now); if another writer got there
   * first, this raises STALE_STATUS and changes nothing. Same-state moves on ACTIVE, PAUSED
   * and TERMINATED are no-ops that still verify the current status.
   */
  async transition(id: string, to: SessionStatus, expected?: SessionStatus): Promise<Session> {
    const from = expected ?? this.require(id).status;
    if (!isAllowedTransition(from, to)) {
      if (expected) this.require(id); // an unknown id is NOT_FOUND, whatever was asked
      throw new SessionError('INVALID_TRANSITION', `A session cannot go from ${from} to ${to}.`);
    }
    if (from === to) {
      const current = this.require(id);
      if (current.status !== from) throw stale(id, from, current.status);
      return current;
    }
    if (!this.repository.compareAndSetStatus(id, from, to, this.clock.nowIso())) {
      throw stale(id, from, this.require(id).status);
    }
    return this.require(id);
  }

  /** Merges `patch` over the session's context (shallow), atomically. */
  async updateContext(id: string, patch: SessionContext): Promise<Session> {
    if (!this.repository.mergeContext(id, patch, this.clock.nowIso())) throw notFound(id);
    return this.require(id);
  }

  /** Remembers Claude Code's own session id so the next turn can `--resume` it. */
  async setAgentSessionId(id: string, agentSessionId: string | null): Promise<Session> {
    if (!this.repository.updateAgentSessionId(id, agentSessionId, this.clock.nowIso())) {
      throw notFound(id);
    }
    return this.require(id);
  }

  /**
   * Every ACTIVE session becomes PAUSED with `recoveredAt` (boot-time recovery); returns which.
   * Synchronous, so recovery can make it one transaction with its own record.
   */
  pauseAllActive(recoveredAt: string): PausedSession[] {
    return this.repository.pauseAllActive(recoveredAt);
  }

  /** Sessions whose last activity is at or after `since` (ISO 8601), oldest activity first. */
  withActivitySince(since: string): Session[] {
    return this.repository.withActivitySince(since);
  }

  countByStatus(): Record<SessionStatus, number> {
    return this.repository.countByStatus();
  }

  /** Records the pid of the agent running a turn for this session (null when it ended). */
  setAgentPid(id: string, pid: number | null): void {
    if (!this.repository.updateAgentPid(id, pid)) throw notFound(id);
  }

  /** Sessions whose agent pid is still recorded: their turn was cut short by a crash. */
  withAgentPid(): Session[] {
    return this.repository.withAgentPid();
  }

  /** The conversation's ACTIVE session, else its newest one that is not TERMINATED, if any. */
  current(conversationId: string): Session | undefined {
    const all = this.repository.list({ conversationId });
    return (
      all.find((session) => session.status === 'ACTIVE') ??
      all.find((session) => session.status !== 'TERMINATED')
    );
  }

  private require(id: string): Session {
    const session = this.repository.find(id);
    if (!session) throw notFound(id);
    return session;
  }
}

function notFound(id: string): SessionError {
  return new SessionError('NOT_FOUND', `No session ${id}.`);
}

function stale(id: string, expected: SessionStatus, actual: SessionStatus): SessionError {
  return new SessionError(
    'STALE_STATUS',
    `Session ${id} is ${actual}, not ${expected}: another change got there first.`,
  );
}
