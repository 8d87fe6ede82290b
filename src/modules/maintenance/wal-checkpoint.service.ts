import { Injectable, Logger } from '@nestjs/common';
import { Sqlite } from '../../common/database';

/** What `PRAGMA wal_checkpoint` answers: whether it was blocked, WAL frames, frames copied. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * Copies the WAL into the database file and truncates the WAL to zero bytes. The automatic
 * checkpoint (every 4,000 pages) keeps the WAL from growing without end but never shrinks the
 * file, so after a burst of writes (a long turn streaming progress) it would keep its largest
 * size until the daemon stops.
 */
@Injectable()
export class WalCheckpoint {
  private readonly logger = new Logger(WalCheckpoint.name);

  constructor(private readonly sqlite: Sqlite) {}

  checkpoint(): CheckpointResult {
    // Never blocks the daemon: a reader elsewhere (a backup tool, the doctor) makes it busy at once.
    const result = this.sqlite.withoutWaiting(
      () =>
        this.sqlite
          .prepare<[], CheckpointResult>('PRAGMA wal_checkpoint(TRUNCATE)')
          .get() as CheckpointResult,
    );
    // Busy: another connection was reading or writing; the next run catches up.
    if (result.busy) this.logger.warn({ msg: 'WAL checkpoint could not finish', ...result });
    else this.logger.debug({ msg: 'WAL checkpointed and truncated', frames: result.checkpointed });
    return result;
  }
}
