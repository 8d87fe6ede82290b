import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { Sqlite } from '../../common/database';
import {
  ActivityDetails,
  ActivityEntry,
  ActivityKind,
  describeActivity,
  renderCatchUp,
} from './activity';
import { SessionError } from './session.errors';

interface ActivityRow {
  id: number;
  session_id: string;
  kind: ActivityKind;
  details: string;
  created_at: string;
  summarized: number;
}

export interface CatchUpSummary {
  sessionId: string;
  text: string;
  /** Entries shown plus entries trimmed before they could be shown. */
  total: number;
}

/**
 * The bounded per-session activity log. Each write inserts, trims to the newest N and stamps
 * the session in one transaction, so the bound holds under any interleaving of writers.
 */
@Injectable()
export class ActivityLogService {
  constructor(
    private readonly sqlite: Sqlite,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  private get bound(): number {
    return this.config.sessions.activityLogSize;
  }

  async trackActivity<K extends ActivityKind>(
    sessionId: string,
    kind: K,
    details: ActivityDetails[K],
  ): Promise<void> {
    const now = this.clock.nowIso();
    this.sqlite.transaction(() => {
      const touched = this.sqlite
        .prepare(`UPDATE sessions SET last_activity_at = ? WHERE id = ?`)
        .run(now, sessionId).changes;
      if (touched !== 1) throw new SessionError('NOT_FOUND', `No session ${sessionId}.`);
      this.sqlite
        .prepare(
          `INSERT INTO session_activity (session_id, kind, details, created_at, summarized)
           VALUES (?, ?, ?, ?, 0)`,
        )
        .run(sessionId, kind, JSON.stringify(details), now);
      const trimmed = this.sqlite
        .prepare<[string, string, number], { summarized: number }>(
          `DELETE FROM session_activity WHERE session_id = ? AND id NOT IN (
             SELECT id FROM session_activity WHERE session_id = ? ORDER BY id DESC LIMIT ?)
           RETURNING summarized`,
        )
        .all(sessionId, sessionId, this.bound);
      const unseen = trimmed.filter((row) => !row.summarized).length;
      if (unseen > 0) {
        this.sqlite
          .prepare(`UPDATE sessions SET activity_dropped = activity_dropped + ? WHERE id = ?`)
          .run(unseen, sessionId);
      }
    });
  }

  /** The kept entries, oldest first. */
  async entries(sessionId: string): Promise<ActivityEntry[]> {
    return this.sqlite
      .prepare<[string], ActivityRow>(
        `SELECT id, session_id, kind, details, created_at, summarized FROM session_activity
         WHERE session_id = ? ORDER BY id`,
      )
      .all(sessionId)
      .map(toEntry);
  }

  /**
   * Renders what happened since the last summary and marks it summarized. Returns undefined
   * when nothing happened, so no empty message is ever sent.
   */
  async catchUpSummary(sessionId: string): Promise<CatchUpSummary | undefined> {
    return this.sqlite.transaction(() => {
      const rows = this.sqlite
        .prepare<[string], ActivityRow>(
          `SELECT id, session_id, kind, details, created_at, summarized FROM session_activity
           WHERE session_id = ? AND summarized = 0 ORDER BY id`,
        )
        .all(sessionId);
      const dropped =
        this.sqlite
          .prepare<[string], { n: number }>(
            `SELECT activity_dropped AS n FROM sessions WHERE id = ?`,
          )
          .get(sessionId)?.n ?? 0;
      if (rows.length === 0 && dropped === 0) return undefined;
      this.sqlite
        .prepare(
          `UPDATE session_activity SET summarized = 1 WHERE session_id = ? AND summarized = 0`,
        )
        .run(sessionId);
      this.sqlite.prepare(`UPDATE sessions SET activity_dropped = 0 WHERE id = ?`).run(sessionId);
      const lines = rows.map((row) => describeActivity(toEntry(row)));
      return { sessionId, text: renderCatchUp(lines, dropped), total: rows.length + dropped };
    });
  }
}

function toEntry(row: ActivityRow): ActivityEntry {
  return {
    id: row.id,
    sessionId: row.session_id,
    kind: row.kind,
    details: JSON.parse(row.details) as ActivityDetails[ActivityKind],
    createdAt: row.created_at,
    summarized: row.summarized === 1,
  };
}
