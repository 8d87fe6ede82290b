import { Injectable } from '@nestjs/common';
import { Sqlite } from '../../common/database';
import { PausedSession, Session, SessionContext } from './session.entity';
import { SessionStatus } from './session-status';

interface SessionRow {
  id: string;
  conversation_id: string;
  project_path: string;
  status: SessionStatus;
  agent_session_id: string | null;
  context: string;
  recovered_at: string | null;
  created_at: string;
  updated_at: string;
  last_activity_at: string | null;
  activity_dropped: number;
  agent_pid: number | null;
}

export interface SessionFilter {
  conversationId?: string;
  status?: SessionStatus;
  limit?: number;
}

/** Every column of the table, as the entity declares them (a test holds them to it). */
export const SESSION_COLUMNS = `id, conversation_id, project_path, status, agent_session_id, context, recovered_at,
  created_at, updated_at, last_activity_at, activity_dropped, agent_pid`;

/**
 * Boot-time recovery's one statement; its plan (the partial ACTIVE index) is pinned by a test.
 * It returns only what recovery tells the owners: 10,000 whole sessions would slow every boot.
 */
export const PAUSE_ALL_ACTIVE_SQL = `UPDATE sessions SET status = 'PAUSED', recovered_at = ?,
  updated_at = ? WHERE status = 'ACTIVE' RETURNING id, conversation_id, project_path`;

export function toSession(row: SessionRow): Session {
  return Object.assign(new Session(), {
    id: row.id,
    conversationId: row.conversation_id,
    projectPath: row.project_path,
    status: row.status,
    agentSessionId: row.agent_session_id,
    context: JSON.parse(row.context) as SessionContext,
    recoveredAt: row.recovered_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastActivityAt: row.last_activity_at,
    activityDropped: row.activity_dropped,
    agentPid: row.agent_pid,
  });
}

/** SQL for the `sessions` table. Each method is one statement, hence atomic. */
@Injectable()
export class SessionRepository {
  constructor(private readonly sqlite: Sqlite) {}

  insert(session: Session): void {
    this.sqlite
      .prepare(
        `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        session.id,
        session.conversationId,
        session.projectPath,
        session.status,
        session.agentSessionId,
        JSON.stringify(session.context),
        session.recoveredAt,
        session.createdAt,
        session.updatedAt,
        session.lastActivityAt,
        session.activityDropped,
        session.agentPid,
      );
  }

  find(id: string): Session | undefined {
    const row = this.sqlite
      .prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`)
      .get(id);
    return row && toSession(row);
  }

  /** Newest first; ties (same clock instant) in reverse creation order (ids are time-ordered). */
  list(filter: SessionFilter = {}): Session[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.conversationId !== undefined) {
      where.push('conversation_id = ?');
      params.push(filter.conversationId);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const sql = `SELECT ${SESSION_COLUMNS} FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    params.push(filter.limit ?? -1);
    return this.sqlite
      .prepare<unknown[], SessionRow>(sql)
      .all(...params)
      .map(toSession);
  }

  /** Compare-and-set of the status; false when the session is missing or not in `from`. */
  compareAndSetStatus(id: string, from: SessionStatus, to: SessionStatus, at: string): boolean {
    return (
      this.sqlite
        .prepare(`UPDATE sessions SET status = ?, updated_at = ? WHERE id = ? AND status = ?`)
        .run(to, at, id, from).changes === 1
    );
  }

  /** Shallow-merges `patch` over the stored context in one transaction; false if missing. */
  mergeContext(id: string, patch: SessionContext, at: string): boolean {
    return this.sqlite.transaction(() => {
      const row = this.sqlite
        .prepare<[string], { context: string }>(`SELECT context FROM sessions WHERE id = ?`)
        .get(id);
      if (!row) return false;
      const merged = { ...(JSON.parse(row.context) as SessionContext), ...patch };
      this.sqlite
        .prepare(`UPDATE sessions SET context = ?, updated_at = ? WHERE id = ?`)
        .run(JSON.stringify(merged), at, id);
      return true;
    });
  }

  updateAgentSessionId(id: string, agentSessionId: string | null, at: string): boolean {
    return (
      this.sqlite
        .prepare(`UPDATE sessions SET agent_session_id = ?, updated_at = ? WHERE id = ?`)
        .run(agentSessionId, at, id).changes === 1
    );
  }

  /** Records the running agent's pid (null once it has ended). */
  updateAgentPid(id: string, pid: number | null): boolean {
    return (
      this.sqlite.prepare(`UPDATE sessions SET agent_pid = ? WHERE id = ?`).run(pid, id).changes ===
      1
    );
  }

  /** Sessions with an agent pid recorded (a turn was running when the last daemon died). */
  withAgentPid(): Session[] {
    return this.sqlite
      .prepare<[], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE agent_pid IS NOT NULL`,
      )
      .all()
      .map(toSession);
  }

  /** Every ACTIVE session becomes PAUSED with `recoveredAt`; returns which, and whose they are. */
  pauseAllActive(at: string): PausedSession[] {
    return this.sqlite
      .prepare<[string, string], Pick<SessionRow, 'id' | 'conversation_id' | 'project_path'>>(
        PAUSE_ALL_ACTIVE_SQL,
      )
      .all(at, at)
      .map((row) => ({
        id: row.id,
        conversationId: row.conversation_id,
        projectPath: row.project_path,
      }));
  }

  /** Sessions whose last activity is at or after `since` (ISO 8601). */
  withActivitySince(since: string): Session[] {
    return this.sqlite
      .prepare<[string], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE last_activity_at >= ? ORDER BY last_activity_at`,
      )
      .all(since)
      .map(toSession);
  }

  countByStatus(): Record<SessionStatus, number> {
    const counts: Record<SessionStatus, number> = {
      CREATED: 0,
      ACTIVE: 0,
      PAUSED: 0,
      TERMINATED: 0,
    };
    const rows = this.sqlite
      .prepare<[], { status: SessionStatus; n: number }>(
        `SELECT status, count(*) AS n FROM sessions GROUP BY status`,
      )
      .all();
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }
}
