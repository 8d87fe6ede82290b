import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import {
  ActivityDetails,
  ActivityEntry,
  ActivityKind,
  describeActivity,
  renderCatchUp,
} from './activity';
import { ActivityRow, SessionActivityRepository } from './session-activity.repository';
import { SessionError } from './session.errors';

export interface CatchUpSummary {
  sessionId: string;
  text: string;
  /** Entries shown plus entries trimmed before they could be shown. */
  total: number;
}

/** The bounded per-session activity log, and the catch-up summaries drawn from it. */
@Injectable()
export class ActivityLogService {
  constructor(
    private readonly repository: SessionActivityRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async trackActivity<K extends ActivityKind>(
    sessionId: string,
    kind: K,
    details: ActivityDetails[K],
  ): Promise<void> {
    const bound = this.config.sessions.activityLogSize;
    const now = this.clock.nowIso();
    if (!this.repository.append(sessionId, kind, JSON.stringify(details), now, bound)) {
      throw new SessionError('NOT_FOUND', `No session ${sessionId}.`);
    }
  }

  /** The kept entries, oldest first. */
  async entries(sessionId: string): Promise<ActivityEntry[]> {
    return this.repository.entries(sessionId).map(toEntry);
  }

  /** `takeCatchUpSummary`, for callers that do not need it inside their own transaction. */
  async catchUpSummary(sessionId: string, since?: string): Promise<CatchUpSummary | undefined> {
    return this.takeCatchUpSummary(sessionId, since);
  }

  /**
   * Renders what happened since the last summary (and since `since`, an ISO time, if given: what
   * came before it was seen live) and marks it all summarized. Returns undefined
   * when nothing happened, so no empty message is ever sent. Synchronous, so a caller can run it
   * in one transaction with sending the summary: either both happen or neither.
   */
  takeCatchUpSummary(sessionId: string, since?: string): CatchUpSummary | undefined {
    const { rows, dropped } = this.repository.takeUnsummarized(sessionId, since);
    if (rows.length === 0 && dropped === 0) return undefined;
    const lines = rows.map((row) => describeActivity(toEntry(row)));
    return { sessionId, text: renderCatchUp(lines, dropped), total: rows.length + dropped };
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
