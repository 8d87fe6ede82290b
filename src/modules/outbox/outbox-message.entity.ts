import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const OUTBOX_KINDS = ['reply', 'progress', 'approval', 'result', 'error', 'notice'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];
export type OutboxState = 'pending' | 'sent' | 'failed';

/**
 * One message to the phone. Written before anything is sent; sent in id order by the
 * dispatcher; marked sent only with the timestamp Signal returned.
 */
@Entity({ name: 'outbox_messages' })
@Index('idx_outbox_next', ['state', 'priority', 'id'])
// Only rows waiting out a retry (a handful): a reconnect makes them due without a pass over the
// whole backlog, and fresh rows (attempts 0) never touch this index.
@Index('idx_outbox_retrying', ['nextAttemptAt'], {
  where: `"state" = 'pending' AND "attempts" > 0`,
})
export class OutboxMessage {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'conversation_key', type: 'varchar' })
  conversationKey!: string;

  /** The `Conversation` to send to, as JSON. */
  @Column({ type: 'text' })
  target!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar' })
  kind!: OutboxKind;

  @Column({ type: 'varchar' })
  state!: OutboxState;

  /** Progress rows of one turn share this key; a newer one replaces an unsent older one. */
  @Column({ name: 'turn_key', type: 'varchar', nullable: true })
  turnKey!: string | null;

  /** Signal timestamp of the sent message this row edits in place. */
  @Column({ name: 'edit_of', type: 'integer', nullable: true })
  editOf!: number | null;

  /** How many progress updates this row stands for after folding (0: not a fold). */
  @Column({ type: 'integer', default: 0 })
  folded!: number;

  /**
   * Lower goes first: 0 for catch-up summaries after a reconnect, 1 for urgent messages
   * (approvals, errors), 2 for everything else; equal priorities go by id. (Ascending, so the
   * (state, priority, id) index serves the order.)
   */
  @Column({ type: 'integer', default: 1 })
  priority!: number;

  /** Delivered without a notification (Signal's "not urgent"): the conversation muted its kind. */
  @Column({ type: 'boolean', default: false })
  quiet!: boolean;

  /** Text styles over the body (UTF-16 ranges), as JSON; dropped if the body has to be split. */
  @Column({ type: 'text', nullable: true })
  styles!: string | null;

  /** A file sent with the message, as JSON `{filename, contentType, base64}`. */
  @Column({ type: 'text', nullable: true })
  attachment!: string | null;

  /** Parts of a split body already sent. */
  @Column({ name: 'parts_sent', type: 'integer', default: 0 })
  partsSent!: number;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'varchar' })
  nextAttemptAt!: string;

  @Column({ name: 'created_at', type: 'varchar' })
  createdAt!: string;

  @Column({ name: 'sent_at', type: 'varchar', nullable: true })
  sentAt!: string | null;

  /** Signal's timestamp for the (last part of the) message. */
  @Column({ name: 'signal_timestamp', type: 'integer', nullable: true })
  signalTimestamp!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
