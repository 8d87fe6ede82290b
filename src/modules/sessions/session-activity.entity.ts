import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Session } from './session.entity';

/** One thing a session did, kept in a bounded per-session log. */
@Entity({ name: 'session_activity' })
@Index('idx_session_activity_session', ['sessionId', 'id'])
export class SessionActivity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'session_id', type: 'varchar' })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: Session;

  @Column({ type: 'varchar' })
  kind!: string;

  @Column({ type: 'simple-json' })
  details!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'varchar' })
  createdAt!: string;

  /** Whether a catch-up summary has already shown this entry. */
  @Column({ type: 'boolean', default: false })
  summarized!: boolean;
}
