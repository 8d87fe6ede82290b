import { Injectable, Logger } from '@nestjs/common';
import { conversationFromKey } from '../../common/conversations';
import { Sqlite } from '../../common/database';
import { maskIdentifier } from '../../common/logging';
import { OutboxService } from '../outbox';
import { ActivityLogService, Session, SessionsService } from '../sessions';

/**
 * After a reconnect (while the link is SYNCING): one catch-up summary for each session with
 * activity since the drop, replacing that conversation's unsent progress and sent before
 * everything else waiting. Marking the activity summarized and queueing the summary happen in
 * one transaction, so a failure leaves both undone and the next reconnect tries again.
 */
@Injectable()
export class CatchUpService {
  private readonly logger = new Logger(CatchUpService.name);
  /**
   * Sessions whose summary could not be queued, with the drop it was for: the next catch-up
   * includes them whatever, from that earlier drop on.
   */
  private readonly owed = new Map<string, { session: Session; since: string }>();

  constructor(
    private readonly sessions: SessionsService,
    private readonly activity: ActivityLogService,
    private readonly outbox: OutboxService,
    private readonly sqlite: Sqlite,
  ) {}

  /** Queues the summaries for activity since `droppedAt` (clock ms); returns how many. */
  catchUp(droppedAt: number): number {
    let summaries = 0;
    const since = new Date(droppedAt).toISOString();
    const due = new Map(this.owed);
    for (const session of this.sessions.withActivitySince(since)) {
      if (!due.has(session.id)) due.set(session.id, { session, since });
    }
    for (const { session, since: from } of due.values()) {
      try {
        const queued = this.sqlite.transaction(() => {
          const summary = this.activity.takeCatchUpSummary(session.id, from);
          if (!summary) return false;
          const to = conversationFromKey(session.conversationId);
          this.outbox.replaceProgressWithSummary(to, summary.text);
          return true;
        });
        if (queued) summaries++;
        this.owed.delete(session.id);
      } catch (error) {
        this.owed.set(session.id, { session, since: from });
        this.logger.error({
          msg: 'catch-up summary not queued; its activity stays for the next reconnect',
          session: maskIdentifier(session.id),
          error: (error as Error).message,
        });
      }
    }
    if (summaries > 0)
      this.logger.log({ msg: 'sent catch-up summaries after reconnecting', summaries });
    return summaries;
  }
}
