import { Injectable } from '@nestjs/common';
import { conversationKey } from '../../common/conversations';
import { Sqlite } from '../../common/database';
import { InboundMessage } from './inbound-message';

interface Row {
  key: string;
  message: string;
}

/** SQL for `inbound_messages` (`InboundMessageEntity`). */
@Injectable()
export class InboundMessageRepository {
  constructor(private readonly sqlite: Sqlite) {}

  /** Records the message; false when its key was recorded before (a re-delivery). */
  recordOnce(message: InboundMessage, at: string): boolean {
    return (
      this.sqlite
        .prepare(
          `INSERT INTO inbound_messages (key, conversation_id, message, state, received_at)
           VALUES (?, ?, ?, 'received', ?) ON CONFLICT (key) DO NOTHING`,
        )
        .run(message.key, conversationKey(message.conversation), JSON.stringify(message), at)
        .changes === 1
    );
  }

  markHandled(key: string, at: string): void {
    this.sqlite
      .prepare(`UPDATE inbound_messages SET state = 'handled', handled_at = ? WHERE key = ?`)
      .run(at, key);
  }

  /** Handling failed (and was answered): the message waits for `/retry`. */
  markAwaitingRetry(key: string): void {
    this.sqlite
      .prepare(`UPDATE inbound_messages SET state = 'awaiting-retry' WHERE key = ?`)
      .run(key);
  }

  /** The owner dismissed a message waiting for `/retry`; false if it was not waiting. */
  drop(key: string, at: string): boolean {
    return (
      this.sqlite
        .prepare(
          `UPDATE inbound_messages SET state = 'dropped', handled_at = ?
           WHERE key = ? AND state = 'awaiting-retry'`,
        )
        .run(at, key).changes === 1
    );
  }

  /** Messages recorded by an earlier run that never got handled; they now await `/retry`. */
  takeUnhandled(): InboundMessage[] {
    return this.sqlite
      .prepare<[], Row>(
        `UPDATE inbound_messages SET state = 'awaiting-retry' WHERE state = 'received'
         RETURNING key, message`,
      )
      .all()
      .map((row) => JSON.parse(row.message) as InboundMessage)
      .sort((a, b) => a.timestamp - b.timestamp);
  }

  /** The messages of one conversation waiting for `/retry`, oldest first. */
  awaitingRetry(conversationId: string): InboundMessage[] {
    return this.sqlite
      .prepare<[string], Row>(
        `SELECT key, message FROM inbound_messages
         WHERE state = 'awaiting-retry' AND conversation_id = ? ORDER BY received_at, key`,
      )
      .all(conversationId)
      .map((row) => JSON.parse(row.message) as InboundMessage);
  }

  /**
   * Forgets handled and dropped messages received before `before`; returns how many. A message
   * waiting for `/retry` is kept, however old, until it is retried or dropped.
   */
  purge(before: string): number {
    return this.sqlite
      .prepare(
        `DELETE FROM inbound_messages WHERE state IN ('handled', 'dropped') AND received_at < ?`,
      )
      .run(before).changes;
  }
}
