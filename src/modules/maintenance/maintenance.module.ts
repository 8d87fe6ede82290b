import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { SignalModule } from '../signal';
import { BackupCommand } from './backup.commands';
import { DatabaseBackup } from './database-backup.service';
import { MaintenanceSchedule } from './maintenance-schedule.service';
import { WalCheckpoint } from './wal-checkpoint.service';

/**
 * Keeping the database in shape on a schedule: the nightly backup (and `/backup`), the purge of
 * old inbound keys, WAL checkpoints.
 */
@Module({
  imports: [ScheduleModule.forRoot(), SignalModule],
  providers: [DatabaseBackup, WalCheckpoint, MaintenanceSchedule, BackupCommand],
})
export class MaintenanceModule {}
