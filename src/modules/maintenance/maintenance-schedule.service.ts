import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { BootPhase, OnBoot } from '../../common/boot';
import { Clock, Timer } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { SignalIntake } from '../signal';
import { DatabaseBackup } from './database-backup.service';
import { WalCheckpoint } from './wal-checkpoint.service';

/** The maintenance jobs, by their names in `SchedulerRegistry`. */
export const MAINTENANCE_JOBS = {
  backup: 'database-backup',
  inboundPurge: 'inbound-purge',
  walCheckpoint: 'wal-checkpoint',
} as const;

/** On the hour: retention is counted in hours, so a key outlives it by an hour at most. */
export const INBOUND_PURGE_CRON = '0 * * * *';

/**
 * Hourly, at half past. The automatic checkpoint already bounds the WAL while writes go on; this
 * one only gives back the space a burst of writes left behind (and keeps the WAL replay at the
 * next start short), which hourly does well enough. Half past keeps it away from the purge on the
 * hour and from the default backup time.
 */
export const WAL_CHECKPOINT_CRON = '30 * * * *';

/** Longest single wait: Node's timers overflow past 24.8 days (a yearly job would fire at once). */
const MAX_WAIT_MS = 24 * 3_600_000;

/**
 * The maintenance schedule: the nightly backup (BACKUP_CRON), the inbound-key purge and the WAL
 * checkpoint. Each is a `CronJob` in Nest's `SchedulerRegistry`, which lists their names and
 * expressions, but the injected `Clock` times them, not cron's own timers: nothing here reads the
 * wall clock, and tests move the schedule forward with `FakeClock`.
 */
@Injectable()
export class MaintenanceSchedule implements BeforeApplicationShutdown {
  private readonly logger = new Logger(MaintenanceSchedule.name);
  private readonly timers = new Map<string, Timer>();

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly backups: DatabaseBackup,
    private readonly intake: SignalIntake,
    private readonly wal: WalCheckpoint,
  ) {}

  @OnBoot(BootPhase.StartMaintenance)
  start(): void {
    // A failed backup is logged and counted where it happens; the next run tries again.
    this.add(MAINTENANCE_JOBS.backup, this.config.backups.cron, () =>
      this.backups.backup().catch(() => undefined),
    );
    this.add(MAINTENANCE_JOBS.inboundPurge, INBOUND_PURGE_CRON, () => this.intake.purgeExpired());
    this.add(MAINTENANCE_JOBS.walCheckpoint, WAL_CHECKPOINT_CRON, () => this.wal.checkpoint());
  }

  /** Stops the schedule, and lets a backup being written finish before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    await this.backups.idle();
  }

  private add(name: string, expression: string, work: () => unknown): void {
    const job = CronJob.from({
      name,
      cronTime: expression,
      onTick: async () => {
        await work();
      },
      start: false, // timed by `arm`, on the injected clock
      waitForCompletion: true, // a run still going when the next falls due: that one is skipped
      errorHandler: (error) =>
        this.logger.error({ msg: 'maintenance job failed', job: name, error: String(error) }),
    });
    this.registry.addCronJob(name, job);
    this.arm(name, job, this.nextRun(job));
  }

  /** Sets the clock for the run due at `due`; each run then sets the one after it. */
  private arm(name: string, job: CronJob, due: number): void {
    const wait = Math.min(due - this.clock.nowMs(), MAX_WAIT_MS);
    const timer = this.clock.schedule(() => {
      // Woken early (a capped wait, or a timer a millisecond ahead of the clock): wait on.
      if (this.clock.nowMs() < due) {
        this.arm(name, job, due);
        return;
      }
      this.arm(name, job, this.nextRun(job));
      void job.fireOnTick();
    }, wait);
    this.timers.set(name, timer);
  }

  private nextRun(job: CronJob): number {
    return job.cronTime.getNextDateFrom(this.clock.now()).toMillis();
  }
}
