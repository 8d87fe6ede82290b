import { Injectable, Logger } from '@nestjs/common';
import { ActivityLogService, SessionRepository } from '../sessions';
import { conversationFromKey } from '../signal';
import { ConnectionSupervisor } from './connection-supervisor';
import { OutboxService } from './outbox.service';

/**
 * After a reconnect (SYNCING): one catch-up summary for each session with activity since the
 * drop, replacing that session's unsent progress and sent before everything else waiting; then
 * back to CONNECTED, and the outbox drains.
 */
@Injectable()
export class CatchUpService {
  private readonly logger = new Logger(CatchUpService.name);

  constructor(
    private readonly connection: ConnectionSupervisor,
    private readonly sessions: SessionRepository,
    private readonly activity: ActivityLogService,
    private readonly outbox: OutboxService,
  ) {
    this.connection.onChange(({ from, to }) => {
      // After listeners of this change have run, not in the middle of them.
      if (from === 'RECONNECTING' && to === 'CONNECTED') queueMicrotask(() => void this.sync());
    });
  }

  /** Every (re)connect passes through SYNCING; only one after a drop has anything to catch up. */
  private async sync(): Promise<void> {
    const droppedAt = this.connection.lastDisconnectedAt;
    if (!this.connection.beginSync()) return;
    try {
      let summaries = 0;
      const since =
        droppedAt === undefined
          ? []
          : this.sessions.withActivitySince(new Date(droppedAt).toISOString());
      for (const session of since) {
        const summary = await this.activity.catchUpSummary(session.id);
        if (!summary) continue;
        this.outbox.replaceProgressWithSummary(
          conversationFromKey(session.conversationId),
          summary.text,
        );
        summaries++;
      }
      if (summaries > 0)
        this.logger.log({ msg: 'sent catch-up summaries after reconnecting', summaries });
    } catch (error) {
      this.logger.error({ msg: 'catch-up failed', error: (error as Error).message });
    } finally {
      this.connection.endSync();
    }
  }
}
