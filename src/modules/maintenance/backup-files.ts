import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** `bridge-2026-12-03T02-00-00Z.sqlite`: names sort in time order, and carry their time. */
const BACKUP_NAME = /^bridge-(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)Z\.sqlite$/;

/** What a backup is called while it is being written; only a finished one gets its name. */
export const PARTIAL_SUFFIX = '.partial';

/** The file name of a backup taken at `at` (UTC, to the second). */
export function backupFileName(at: Date): string {
  return `bridge-${at.toISOString().slice(0, 19).replace(/:/g, '-')}Z.sqlite`;
}

/** When the backup called `name` was taken, or undefined for any other file. */
export function backupTakenAt(name: string): Date | undefined {
  const match = BACKUP_NAME.exec(name);
  return match ? new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`) : undefined;
}

/** The finished backups in `dir`, oldest first (none if the folder does not exist yet). */
export async function listBackups(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return names.filter((name) => BACKUP_NAME.test(name)).sort();
}

/** What a partial backup may leave: the file, and its WAL and shared memory while it is open. */
const PARTIAL_ENDINGS = [PARTIAL_SUFFIX, `${PARTIAL_SUFFIX}-wal`, `${PARTIAL_SUFFIX}-shm`];

/** Deletes what a backup interrupted by a crash or a failure left behind. */
export async function removePartials(dir: string): Promise<void> {
  const names = await readdir(dir);
  for (const name of names) {
    if (name.startsWith('bridge-') && PARTIAL_ENDINGS.some((ending) => name.endsWith(ending))) {
      await rm(join(dir, name), { force: true });
    }
  }
}

/** "840 KB", "1.2 MB". */
export function formatSize(bytes: number): string {
  const kilobytes = Math.round(bytes / 1024);
  if (kilobytes < 1024) return `${Math.max(1, kilobytes)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
