import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SessionStatus } from './session-status';

export type SessionContext = Record<string, unknown>;

/**
 * A Claude Code session bound to one conversation and one project folder. Ids are UUIDv7 (time
 * ordered, so the table is stored WITHOUT ROWID keyed by them); times are ISO 8601 strings from
 * the injected Clock.
 */
@Entity({ name: 'sessions', withoutRowid: true })
@Index('idx_sessions_conversation', ['conversationId', 'createdAt'])
// Only ACTIVE rows are indexed: recovery looks for them, and other writes skip the index.
@Index('idx_sessions_active', ['status'], { where: `"status" = 'ACTIVE'` })
@Index('idx_sessions_agent_pid', ['agentPid'], { where: `"agent_pid" IS NOT NULL` })
export class Session {
  @PrimaryColumn({ type: 'varchar' })
  id!: string;

  @Column({ name: 'conversation_id', type: 'varchar' })
  conversationId!: string;

  @Column({ name: 'project_path', type: 'varchar' })
  projectPath!: string;

  @Column({ type: 'varchar' })
  status!: SessionStatus;

  /** Claude Code's own session id, for `--resume`. */
  @Column({ name: 'agent_session_id', type: 'varchar', nullable: true })
  agentSessionId!: string | null;

  @Column({ type: 'simple-json' })
  context!: SessionContext;

  /** Set when boot-time recovery paused this session after a crash. */
  @Column({ name: 'recovered_at', type: 'varchar', nullable: true })
  recoveredAt!: string | null;

  @Column({ name: 'created_at', type: 'varchar' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar' })
  updatedAt!: string;

  @Column({ name: 'last_activity_at', type: 'varchar', nullable: true })
  lastActivityAt!: string | null;

  /** The agent process's pid while a turn runs (crash recovery kills it if it outlived us). */
  @Column({ name: 'agent_pid', type: 'integer', nullable: true })
  agentPid!: number | null;

  /** Unsummarized activity entries trimmed from the log since the last catch-up summary. */
  @Column({ name: 'activity_dropped', type: 'integer', default: 0 })
  activityDropped!: number;
}

/** A session that boot-time recovery paused: what its owner is told about. */
export type PausedSession = Pick<Session, 'id' | 'conversationId' | 'projectPath'>;
