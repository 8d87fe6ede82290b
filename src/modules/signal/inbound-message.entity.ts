import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `received` until handled; `awaiting-retry` when a restart or a failure left it for /retry
 * (kept until it is retried or dropped); `dropped` when the owner dismissed it (`/retry drop`).
 */
export type InboundState = 'received' | 'handled' | 'awaiting-retry' | 'dropped';

/**
 * Every authorized inbound message, written once before it is handled. The key
 * `(sourceUuid ?? source, sourceDevice, timestamp)` makes a second delivery a no-op; a row
 * still `received` at boot was never handled and is offered to the owner for `/retry`.
 */
@Entity({ name: 'inbound_messages' })
@Index('idx_inbound_state', ['state', 'receivedAt'])
export class InboundMessageEntity {
  @PrimaryColumn({ type: 'varchar' })
  key!: string;

  @Column({ name: 'conversation_id', type: 'varchar' })
  conversationId!: string;

  /** The parsed `InboundMessage`, kept so `/retry` can run it again. */
  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'varchar' })
  state!: InboundState;

  @Column({ name: 'received_at', type: 'varchar' })
  receivedAt!: string;

  @Column({ name: 'handled_at', type: 'varchar', nullable: true })
  handledAt!: string | null;
}
