import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { Conversation, conversationKey } from '../../common/conversations';
import { EventBus } from '../../common/events';
import { ChatReplies } from '../commands';
import { ConversationSettingsService } from '../sessions';
import { OutgoingAttachment, TextStyle } from '../signal';
import { OutboxKind } from './outbox-message.entity';
import { NewOutboxRow, OutboxRepository, PRIORITY } from './outbox.repository';

/**
 * urgent: the phone must act (an approval, an error); important: worth a look (a result, an
 * answer); informational: progress; silent: never buzzes.
 */
export type Urgency = 'urgent' | 'important' | 'informational' | 'silent';

export interface OutgoingMessage {
  to: Conversation;
  body: string;
  kind: OutboxKind;
  /** For progress: the turn it reports on; a newer update replaces an unsent older one. */
  turnKey?: string;
  /**
   * How much the message matters; it decides the order and whether the phone buzzes. Default by
   * kind: approvals and errors urgent, progress informational, everything else important.
   */
  urgency?: Urgency;
  /** Replaces the sent message with this Signal timestamp (a Signal edit) instead of a new one. */
  editOf?: number;
  /** Sent before everything else waiting (catch-up summaries after a reconnect). */
  first?: boolean;
  /** Styles over `body` (code in monospace), UTF-16 ranges. */
  styles?: TextStyle[];
  /** A file to send with the message. */
  attachment?: OutgoingAttachment;
}

function defaultUrgency(kind: OutboxKind): Urgency {
  if (kind === 'approval' || kind === 'error') return 'urgent';
  return kind === 'progress' ? 'informational' : 'important';
}

/**
 * The only way to send to the phone: every message is a row first. Past the configured bound,
 * unsent progress updates are folded into one line per conversation; approvals, results,
 * errors, replies and notices are never folded or dropped.
 */
@Injectable()
export class OutboxService implements ChatReplies {
  private readonly logger = new Logger(OutboxService.name);

  constructor(
    private readonly repository: OutboxRepository,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly settings: ConversationSettingsService,
    registry: Registry,
  ) {
    const depth: Gauge = new Gauge({
      name: 'bridge_outbox_depth',
      help: 'Messages waiting in the outbox.',
      registers: [registry],
      collect: () => depth.set(this.depth()),
    });
    const age: Gauge = new Gauge({
      name: 'bridge_outbox_oldest_age_seconds',
      help: 'Age of the oldest message waiting in the outbox (0 when empty).',
      registers: [registry],
      collect: () => age.set(this.oldestAgeMs() / 1000),
    });
  }

  /** Persists the message and wakes the dispatcher; returns the row id. */
  enqueue(message: OutgoingMessage): number {
    return this.enqueueAll([message])[0];
  }

  /** Persists the messages in one transaction and wakes the dispatcher; returns the row ids. */
  enqueueAll(messages: readonly OutgoingMessage[]): number[] {
    if (messages.length === 0) return [];
    const at = this.clock.nowIso(); // one transaction, one time
    const ids = this.repository.insert(messages.map((message) => this.toRow(message, at)));
    // Only a progress update can tip the balance into folding: other kinds are never folded, so
    // a backlog of them alone has nothing to fold (and must not pay for a fold on every write).
    if (
      messages.some((message) => message.kind === 'progress') &&
      this.repository.pendingCount() > this.config.outbox.maxPending
    ) {
      const removed = this.repository.foldProgress(
        (n) => `${n} progress update${n === 1 ? '' : 's'} skipped while offline`,
      );
      if (removed > 0)
        this.logger.warn({ msg: 'outbox over its bound; folded progress updates', removed });
    }
    messages.forEach((message, i) =>
      this.events.emit('outbox.enqueued', { id: ids[i], kind: message.kind }),
    );
    return ids;
  }

  private toRow(message: OutgoingMessage, at: string): NewOutboxRow {
    const key = conversationKey(message.to);
    const urgency = message.urgency ?? defaultUrgency(message.kind);
    return {
      conversationKey: key,
      target: JSON.stringify(message.to),
      body: message.body,
      kind: message.kind,
      turnKey: message.turnKey ?? null,
      editOf: message.editOf ?? null,
      // Urgent messages (approvals, errors) go ahead of everything already waiting, so they
      // never sit behind a backlog of progress; everything else keeps its order (a turn's
      // steps before its result).
      priority: message.first
        ? PRIORITY.first
        : urgency === 'urgent'
          ? PRIORITY.urgent
          : PRIORITY.normal,
      styles: message.styles?.length ? JSON.stringify(message.styles) : null,
      attachment: message.attachment
        ? JSON.stringify({
            ...message.attachment,
            data: message.attachment.data.toString('base64'),
          })
        : null,
      // Muted kinds arrive without a notification; urgent ones always buzz.
      quiet:
        urgency === 'silent' ||
        (urgency !== 'urgent' && this.settings.get(key).muted.includes(urgency)),
      at,
    };
  }

  /** Replaces a conversation's unsent progress with one catch-up summary, sent first. */
  replaceProgressWithSummary(to: Conversation, summary: string): number {
    const dropped = this.repository.dropPendingProgress(conversationKey(to));
    this.enqueue({ to, body: summary, kind: 'notice', first: true });
    return dropped;
  }

  depth(): number {
    return this.repository.pendingCount();
  }

  oldestAgeMs(): number {
    const oldest = this.repository.oldestPendingAt();
    return oldest ? Math.max(0, this.clock.nowMs() - Date.parse(oldest)) : 0;
  }
}
