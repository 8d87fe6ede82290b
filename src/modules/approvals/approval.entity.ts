import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const APPROVAL_STATES = ['pending', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/**
 * One tool call waiting for the owner's answer, written before the question is sent. Its id is
 * the short number the owner types (`/approve 7`).
 */
@Entity({ name: 'approvals' })
@Index('idx_approvals_pending', ['state', 'conversationKey'])
export class Approval {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'session_id', type: 'varchar' })
  sessionId!: string;

  @Column({ name: 'conversation_key', type: 'varchar' })
  conversationKey!: string;

  /** The turn that asked; `/approve all` covers the rest of it. */
  @Column({ name: 'turn_key', type: 'varchar' })
  turnKey!: string;

  @Column({ name: 'tool_name', type: 'varchar' })
  toolName!: string;

  /** The tool's input as JSON, passed back unchanged when approved. */
  @Column({ type: 'text' })
  input!: string;

  /** Never covered by `/approve all`, `/always` or a reaction: needs `/approve <id>` typed. */
  @Column({ name: 'high_risk', type: 'boolean', default: false })
  highRisk!: boolean;

  /** Why it is high risk, in a few words for the phone (`deletes a folder recursively`). */
  @Column({ type: 'text', nullable: true })
  risk!: string | null;

  /** The rule `/always` adds for the session: the one Claude Code suggested for this call. */
  @Column({ name: 'always_rule', type: 'text', nullable: true })
  alwaysRule!: string | null;

  @Column({ type: 'varchar' })
  state!: ApprovalState;

  /** The reject reason given to the agent, or why it expired or was cancelled. */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'created_at', type: 'varchar' })
  createdAt!: string;

  @Column({ name: 'decided_at', type: 'varchar', nullable: true })
  decidedAt!: string | null;

  /** The outbox row of the question, until Signal has it. */
  @Column({ name: 'outbox_id', type: 'integer', nullable: true })
  outboxId!: number | null;

  /** The question as sent; edited in place once decided. */
  @Column({ type: 'text', default: '' })
  message!: string;

  /** Signal's timestamp of the question: replies and reactions point at it. */
  @Column({ name: 'message_timestamp', type: 'integer', nullable: true })
  messageTimestamp!: number | null;
}
