import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One boot-time recovery that found something to recover. */
@Entity({ name: 'recovery_runs' })
export class RecoveryRun {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'ran_at', type: 'varchar' })
  ranAt!: string;

  @Column({ name: 'session_ids', type: 'simple-json' })
  sessionIds!: string[];
}
