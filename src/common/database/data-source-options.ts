import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

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
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
    },
  };
}
