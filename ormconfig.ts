import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from './src/common/config/load-config';
import { buildDataSourceOptions } from './src/common/database/data-source-options';

/**
 * The TypeORM CLI's DataSource (`npm run migration:generate|run|revert`), built from the same
 * options and the same DATA_DIR / DATABASE_PATH variables as the daemon.
 */
export default new DataSource(buildDataSourceOptions(loadDatabaseConfig(process.env)));
