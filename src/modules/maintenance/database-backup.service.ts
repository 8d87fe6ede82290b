import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import Database from 'better-sqlite3';
import { Counter, Gauge, Registry } from 'prom-client';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { Sqlite } from '../../common/database';
import { BackupError } from './backup.errors';
import {
  backupFileName,
  backupTakenAt,
  listBackups,
  PARTIAL_SUFFIX,
  removePartials,
} from './backup-files';

/** A backup that was saved and verified. */
export interface SavedBackup {
  /** The file name (never the path: this is what the phone sees). */
  file: string;
  bytes: number;
  /** How many backups are kept (BACKUP_KEEP). */
  keep: number;
}

/**
 * Online backups of the SQLite database into BACKUP_DIR: copied while the daemon keeps working,
 * written under a temporary name, verified, then renamed; the newest BACKUP_KEEP are kept.
 */
@Injectable()
export class DatabaseBackup implements OnModuleInit {
  private readonly logger = new Logger(DatabaseBackup.name);
  private readonly outcomes: Counter<'outcome'>;
  private readonly lastSaved: Gauge;
  private running?: Promise<SavedBackup>;

  constructor(
    private readonly sqlite: Sqlite,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    registry: Registry,
  ) {
    this.outcomes = new Counter({
      name: 'bridge_backups_total',
      help: 'Database backups by outcome: ok (saved and verified) or failed.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of ['ok', 'failed']) this.outcomes.inc({ outcome }, 0);
    this.lastSaved = new Gauge({
      name: 'bridge_last_backup_timestamp_seconds',
      help: 'When the newest database backup was taken, Unix seconds (0: none yet).',
      registers: [registry],
    });
  }

  /** The newest backup on disk sets the gauge, so a restart does not read as "never backed up". */
  async onModuleInit(): Promise<void> {
    const newest = (await listBackups(this.config.backups.dir).catch(() => [])).at(-1);
    const takenAt = newest === undefined ? undefined : backupTakenAt(newest);
    if (takenAt) this.lastSaved.set(takenAt.getTime() / 1000);
  }

  /**
   * Takes a backup now (a call while one is being taken gets that one), verifies it, and deletes
   * the oldest beyond BACKUP_KEEP. Throws `BackupError`; a failed backup changes no earlier one.
   */
  backup(): Promise<SavedBackup> {
    this.running ??= this.take().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves once no backup is being written (shutdown waits for it before the database closes). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async take(): Promise<SavedBackup> {
    const started = this.clock.now();
    const { dir, keep } = this.config.backups;
    const file = backupFileName(started);
    let bytes: number;
    try {
      bytes = await this.write(dir, file);
    } catch (error) {
      this.outcomes.inc({ outcome: 'failed' });
      this.logger.error({ msg: 'database backup failed', error: (error as Error).message });
      throw error;
    }
    this.outcomes.inc({ outcome: 'ok' });
    this.lastSaved.set(started.getTime() / 1000);
    const deleted = await this.prune(dir, keep);
    this.logger.log({
      msg: 'database backup saved and verified',
      file,
      bytes,
      durationMs: this.clock.nowMs() - started.getTime(),
      deleted,
    });
    return { file, bytes, keep };
  }

  /** Copies the database to `dir/file` by way of a partial file, named only once verified. */
  private async write(dir: string, file: string): Promise<number> {
    const path = join(dir, file);
    const partial = `${path}${PARTIAL_SUFFIX}`;
    try {
      await mkdir(dir, { recursive: true });
      await removePartials(dir);
      await this.sqlite.backup(partial, pagesPerStep());
      makeSingleFile(partial);
      const verdict = integrityCheck(partial);
      if (verdict !== 'ok') {
        throw new BackupError('VERIFY_FAILED', `${partial} failed its integrity check: ${verdict}`);
      }
      await rename(partial, path);
    } catch (error) {
      await removePartials(dir).catch(() => undefined);
      if (error instanceof BackupError) throw error;
      throw new BackupError('WRITE_FAILED', `${partial}: ${(error as Error).message}`);
    }
    return (await stat(path)).size; // saved: a failure to size it is not a failed backup
  }

  /** Deletes all but the newest `keep` backups; returns the names deleted. */
  private async prune(dir: string, keep: number): Promise<string[]> {
    const deleted: string[] = [];
    try {
      for (const name of (await listBackups(dir)).slice(0, -keep)) {
        await rm(join(dir, name), { force: true });
        deleted.push(name);
      }
    } catch (error) {
      // The new backup is saved; old ones that stay only take space, and the next run retries.
      this.logger.warn({
        msg: 'old backups could not be deleted',
        error: (error as Error).message,
      });
    }
    return deleted;
  }
}

/**
 * Pages per step of the copy: 100 (a few ms per turn of the event loop) to start. A write by
 * another connection (say, a second process on the same file) restarts the copy from the first
 * page; each restart seen doubles the step, so a copy racing a busy writer still finishes.
 * Writes through the daemon's own connection do not restart it: SQLite updates the copy too.
 */
function pagesPerStep(): (progress: Database.BackupMetadata) => number {
  let pages = 100;
  let lastRemaining = Number.POSITIVE_INFINITY;
  return ({ remainingPages }) => {
    if (remainingPages >= lastRemaining) pages *= 2;
    lastRemaining = remainingPages;
    return pages;
  };
}

/**
 * The copy keeps the source's WAL mode, which would make every reader create -wal and -shm files
 * beside it. In rollback-journal mode a backup is one self-contained file, to copy or restore
 * as it is (the daemon turns WAL back on when it opens it).
 */
function makeSingleFile(path: string): void {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/**
 * `ok`, or what is wrong with the file. Runs on the event loop: fine for this daemon's database
 * (tens of MB at most: inbound keys expire, activity logs are bounded).
 */
function integrityCheck(path: string): string {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return String(db.pragma('integrity_check', { simple: true }));
  } catch (error) {
    return (error as Error).message;
  } finally {
    db?.close();
  }
}
