import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Sqlite } from '../../common/database';

/** What the agent reported about one turn. */
export interface Usage {
  durationMs: number;
  numTurns: number | null;
  costUsd: number | null;
}

export interface UsageTotals {
  turns: number;
  durationMs: number;
  /** Null when the agent reported no cost for any of them. */
  costUsd: number | null;
}

/** SQL for `turn_usage`: one row per finished turn the agent reported on. */
@Injectable()
export class TurnUsageRepository {
  constructor(
    private readonly sqlite: Sqlite,
    private readonly clock: Clock,
  ) {}

  /** One finished turn, stamped now. */
  record(row: Usage & { sessionId: string; conversationKey: string }): void {
    const at = this.clock.nowIso();
    this.sqlite
      .prepare(
        `INSERT INTO turn_usage (session_id, conversation_key, day, duration_ms, num_turns,
           cost_usd, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.sessionId,
        row.conversationKey,
        at.slice(0, 10),
        row.durationMs,
        row.numTurns,
        row.costUsd,
        at,
      );
  }

  /** What the turns recorded from `since` (ISO) on cost, in US dollars. */
  costSince(since: string): number {
    return (
      (this.sqlite
        .prepare<[string], { cost: number | null }>(
          `SELECT sum(cost_usd) AS cost FROM turn_usage WHERE created_at >= ?`,
        )
        .get(since)?.cost as number | null) ?? 0
    );
  }

  forSession(sessionId: string): UsageTotals {
    return this.totals('session_id = ?', sessionId);
  }

  /** Every conversation's turns on one UTC day (YYYY-MM-DD). */
  forDay(day: string): UsageTotals {
    return this.totals('day = ?', day);
  }

  private totals(where: string, value: string): UsageTotals {
    return this.sqlite
      .prepare<[string], UsageTotals>(
        `SELECT count(*) AS turns, coalesce(sum(duration_ms), 0) AS durationMs,
           sum(cost_usd) AS costUsd FROM turn_usage WHERE ${where}`,
      )
      .get(value) as UsageTotals;
  }
}
