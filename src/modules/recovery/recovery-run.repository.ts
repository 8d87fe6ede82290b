import { Injectable } from '@nestjs/common';
import { Sqlite } from '../../common/database';

/** SQL for `recovery_runs`. */
@Injectable()
export class RecoveryRunRepository {
  constructor(private readonly sqlite: Sqlite) {}

  insert(ranAt: string, sessionIds: readonly string[]): void {
    this.sqlite
      .prepare(`INSERT INTO recovery_runs (ran_at, session_ids) VALUES (?, ?)`)
      .run(ranAt, JSON.stringify(sessionIds));
  }
}
