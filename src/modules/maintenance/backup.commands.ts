import { Injectable } from '@nestjs/common';
import { ChatCommand } from '../commands';
import { formatSize } from './backup-files';
import { DatabaseBackup } from './database-backup.service';

/** `/backup`: a backup of the database now, as the nightly one is taken. */
@Injectable()
export class BackupCommand {
  constructor(private readonly backups: DatabaseBackup) {}

  @ChatCommand({
    name: '/backup',
    summary: 'back up the database now',
    usage:
      'Saves a copy of the daemon’s database into the backup folder, as the nightly backup does, checks it, and deletes the oldest beyond the number kept.',
  })
  async backup(): Promise<string> {
    const saved = await this.backups.backup();
    return `Backup saved: ${saved.file} (${formatSize(saved.bytes)}). Keeping the last ${saved.keep}.`;
  }
}
