import {
  accessSync,
  constants,
  existsSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { AppConfig } from '../common/config';
import { MIGRATIONS } from '../common/database/migrations';
import { CheckResult, errorText, fail, formatBytes, pass, warn } from './check';

const ROOT = 'Project root';
const DATA_DIR = 'Data directory';
const DATABASE = 'Database';
const DISK = 'Disk space';

/** Each project root exists, is a folder, and can be listed (and, for the agent, written). */
export function checkProjectRoots(config: AppConfig): CheckResult[] {
  return config.sessions.projectRoots.map((root) => {
    const fix = `make ${root} readable by this user, or take it out of PROJECT_ROOTS`;
    let isDirectory: boolean;
    try {
      isDirectory = statSync(root).isDirectory();
    } catch (error) {
      return fail(ROOT, `${root} cannot be read (${errorText(error)})`, fix);
    }
    if (!isDirectory) return fail(ROOT, `${root} is not a directory`, fix);
    try {
      accessSync(root, constants.R_OK | constants.X_OK);
    } catch {
      return fail(ROOT, `${root} is not readable`, fix);
    }
    try {
      accessSync(root, constants.W_OK);
    } catch {
      return warn(
        ROOT,
        `${root} is readable but not writable: the agent cannot change files directly in it`,
        `chmod u+w ${root} if sessions should work there`,
      );
    }
    return pass(ROOT, `${root} is readable and writable`);
  });
}

/** The data folder takes a new file (or, not there yet, can be created). */
export function checkDataDir(config: AppConfig): CheckResult {
  const dir = config.dataDir;
  const fix = `make ${dir} writable by this user (chown or chmod u+w), or set DATA_DIR to a folder that is`;
  if (!existsSync(dir)) {
    const parent = nearestExisting(dir);
    try {
      if (!statSync(parent).isDirectory()) {
        return fail(DATA_DIR, `${dir} cannot be created: ${parent} is not a directory`, fix);
      }
      accessSync(parent, constants.W_OK | constants.X_OK);
      return pass(DATA_DIR, `${dir} does not exist yet; it is created at the first start`);
    } catch (error) {
      return fail(DATA_DIR, `${dir} cannot be created in ${parent} (${errorText(error)})`, fix);
    }
  }
  if (!statSync(dir).isDirectory()) return fail(DATA_DIR, `${dir} is not a directory`, fix);
  const probe = join(dir, `.doctor-${process.pid}.tmp`);
  try {
    writeFileSync(probe, 'doctor');
    unlinkSync(probe);
  } catch (error) {
    return fail(DATA_DIR, `${dir} is not writable (${errorText(error)})`, fix);
  }
  return pass(DATA_DIR, `${dir} is writable`);
}

/**
 * The SQLite file, opened read-only (a running daemon is not disturbed), passes
 * `PRAGMA integrity_check`; also says how many migrations the next start will apply.
 */
export function checkDatabase(config: AppConfig): CheckResult {
  const path = config.database.path;
  if (!existsSync(path))
    return pass(DATABASE, `${path} does not exist yet; it is created at the first start`);
  const fix = `stop the daemon, move ${path} aside (and its -wal and -shm files) and restore a backup, or start with an empty database`;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map(
      (row) => row.integrity_check,
    );
    if (problems.length !== 1 || problems[0] !== 'ok') {
      return fail(
        DATABASE,
        `${path} failed the integrity check: ${problems.slice(0, 3).join('; ')}`,
        fix,
      );
    }
    return pass(DATABASE, `${path} passed the integrity check; ${pendingMigrations(db)}`);
  } catch (error) {
    return fail(DATABASE, `${path} cannot be read as SQLite (${errorText(error)})`, fix);
  } finally {
    db?.close();
  }
}

function pendingMigrations(db: Database.Database): string {
  const known = MIGRATIONS.map((migration) => new migration().name ?? migration.name);
  const hasTable = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'`)
    .get();
  const applied = new Set(
    hasTable
      ? (db.prepare(`SELECT name FROM migrations`).all() as { name: string }[]).map((r) => r.name)
      : [],
  );
  const pending = known.filter((name) => !applied.has(name)).length;
  if (pending === 0) return 'schema up to date';
  return `${pending} migration${pending === 1 ? '' : 's'} will run at the next start`;
}

/** Thresholds for free space on the data directory's filesystem. */
export interface DiskLimits {
  warnBelowBytes: number;
  failBelowBytes: number;
}

export const DISK_LIMITS: DiskLimits = { warnBelowBytes: 1e9, failBelowBytes: 100e6 };

/** Free space (for this user) on the filesystem that holds the data directory. */
export function checkDiskSpace(config: AppConfig, limits: DiskLimits = DISK_LIMITS): CheckResult {
  const dir = nearestExisting(config.dataDir);
  let free: number;
  try {
    const stats = statfsSync(dir);
    free = stats.bavail * stats.bsize;
  } catch (error) {
    return warn(
      DISK,
      `could not read the free space of ${dir} (${errorText(error)})`,
      'check it with df -h',
    );
  }
  const detail = `${formatBytes(free)} free for ${config.dataDir}`;
  const fix = `free space on that filesystem, or move DATA_DIR to one with more room`;
  if (free < limits.failBelowBytes) return fail(DISK, detail, fix);
  if (free < limits.warnBelowBytes) return warn(DISK, detail, fix);
  return pass(DISK, detail);
}

/** `path` itself if it exists, else its nearest ancestor that does. */
function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}
