import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What one finished turn cost, as the agent reported it: the source of `/usage`. */
@Entity({ name: 'turn_usage' })
@Index('idx_turn_usage_session', ['sessionId'])
@Index('idx_turn_usage_day', ['day'])
export class TurnUsage {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'session_id', type: 'varchar' })
  sessionId!: string;

  @Column({ name: 'conversation_key', type: 'varchar' })
  conversationKey!: string;

  /** The UTC day the turn ended (YYYY-MM-DD). */
  @Column({ type: 'varchar' })
  day!: string;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  /** Model round trips in the turn, when the agent said. */
  @Column({ name: 'num_turns', type: 'integer', nullable: true })
  numTurns!: number | null;

  /** What the agent reported the turn cost, in US dollars, when it said. */
  @Column({ name: 'cost_usd', type: 'real', nullable: true })
  costUsd!: number | null;

  @Column({ name: 'created_at', type: 'varchar' })
  createdAt!: string;
}
