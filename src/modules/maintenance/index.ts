export * from './backup-files';
export * from './backup.commands';
export * from './backup.errors';
export * from './database-backup.service';
export * from './maintenance-schedule.service';
export * from './maintenance.module';
export * from './wal-checkpoint.service';
