import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/**
 * Set on every connection. With WAL, NORMAL syncs only at checkpoints: a commit survives the
 * daemon crashing; only an OS crash can lose the newest ones. Checkpointing every 4,000 pages
 * (~16 MB) instead of 1,000 keeps those fsyncs off most writes.
 */
export const SQLITE_PRAGMAS = [
  'foreign_keys = ON',
  'synchronous = NORMAL',
  'wal_autocheckpoint = 4000',
] as const;

/**
 * The one DataSource definition, used by the app (`DatabaseModule`) and the TypeORM CLI
 * (`ormconfig.ts`). The schema changes only through migrations.
 */
export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: database.path,
    entities: [...ENTITIES],
    migrations: [...MIGRATIONS],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // better-sqlite3 waits this long for a lock held by another connection before SQLITE_BUSY.
    timeout: database.busyTimeoutMs,
    enableWAL: true,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
    },
  };
}
