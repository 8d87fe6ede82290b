import { Injectable } from '@nestjs/common';
import { Sqlite } from '../../common/database';
import { ActivityKind } from './activity';

export interface ActivityRow {
  id: number;
  session_id: string;
  kind: ActivityKind;
  details: string;
  created_at: string;
  summarized: number;
}

/** Every column of the table, as the entity declares them (a test holds them to it). */
export const ACTIVITY_COLUMNS = 'id, session_id, kind, details, created_at, summarized';

/** SQL for `session_activity` and the activity counters on `sessions`. */
@Injectable()
export class SessionActivityRepository {
  constructor(private readonly sqlite: Sqlite) {}

  /**
   * Appends an entry, trims the session's log to the newest `bound` and stamps the session, in
   * one transaction, so the bound holds under any interleaving of writers. False when the
   * session does not exist (nothing is written then).
   */
  append(
    sessionId: string,
    kind: ActivityKind,
    details: string,
    at: string,
    bound: number,
  ): boolean {
    return this.sqlite.transaction(() => {
      const touched = this.sqlite
        .prepare(`UPDATE sessions SET last_activity_at = ? WHERE id = ?`)
        .run(at, sessionId).changes;
      if (touched !== 1) return false;
      this.sqlite
        .prepare(
          `INSERT INTO session_activity (session_id, kind, details, created_at, summarized)
           VALUES (?, ?, ?, ?, 0)`,
        )
        .run(sessionId, kind, details, at);
      const trimmed = this.sqlite
        .prepare<[string, string, number], { summarized: number }>(
          `DELETE FROM session_activity WHERE session_id = ? AND id NOT IN (
             SELECT id FROM session_activity WHERE session_id = ? ORDER BY id DESC LIMIT ?)
           RETURNING summarized`,
        )
        .all(sessionId, sessionId, bound);
      const unseen = trimmed.filter((row) => !row.summarized).length;
      if (unseen > 0) {
        this.sqlite
          .prepare(`UPDATE sessions SET activity_dropped = activity_dropped + ? WHERE id = ?`)
          .run(unseen, sessionId);
      }
      return true;
    });
  }

  /** The kept entries, oldest first. */
  entries(sessionId: string): ActivityRow[] {
    return this.sqlite
      .prepare<[string], ActivityRow>(
        `SELECT ${ACTIVITY_COLUMNS} FROM session_activity WHERE session_id = ? ORDER BY id`,
      )
      .all(sessionId);
  }

  /**
   * The entries no summary has shown yet and how many were trimmed unseen, and marks them all
   * seen, in one transaction. A caller's enclosing transaction makes the mark part of its own.
   */
  takeUnsummarized(sessionId: string, since?: string): { rows: ActivityRow[]; dropped: number } {
    return this.sqlite.transaction(() => {
      const unsummarized = this.sqlite
        .prepare<[string], ActivityRow>(
          `SELECT ${ACTIVITY_COLUMNS} FROM session_activity
           WHERE session_id = ? AND summarized = 0 ORDER BY id`,
        )
        .all(sessionId);
      // Entries from before `since` were seen live: marked summarized below, not shown.
      const rows =
        since === undefined ? unsummarized : unsummarized.filter((r) => r.created_at >= since);
      // Trimming removes the oldest first: if an entry from before `since` was kept, every
      // trimmed one is older still, and none of them is news.
      const onlyOldTrimmed = rows.length < unsummarized.length;
      const trimmed =
        this.sqlite
          .prepare<[string], { n: number }>(
            `SELECT activity_dropped AS n FROM sessions WHERE id = ?`,
          )
          .get(sessionId)?.n ?? 0;
      const dropped = onlyOldTrimmed ? 0 : trimmed;
      if (unsummarized.length === 0 && trimmed === 0) return { rows, dropped };
      this.sqlite
        .prepare(
          `UPDATE session_activity SET summarized = 1 WHERE session_id = ? AND summarized = 0`,
        )
        .run(sessionId);
      this.sqlite.prepare(`UPDATE sessions SET activity_dropped = 0 WHERE id = ?`).run(sessionId);
      return { rows, dropped };
    });
  }
}
