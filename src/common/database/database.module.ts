import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Global, Logger, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config';
import { buildDataSourceOptions } from './data-source-options';
import { DatabaseHealthIndicator } from './database.health';
import { Sqlite } from './sqlite';

const logger = new Logger('DatabaseModule');

/**
 * Opens the SQLite database (creating its folder on first boot) and runs pending migrations
 * before any other provider can touch it. A database that cannot open is not retried: the
 * boot fails with the cause.
 */
@Global()
@Module({
  imports: [
    TerminusModule,
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        toRetry: () => false,
      }),
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('no database options');
        const path = String(options.database);
        mkdirSync(dirname(path), { recursive: true });
        const dataSource = await new DataSource(options).initialize();
        try {
          const applied = await dataSource.runMigrations({ transaction: 'each' });
          if (applied.length > 0) {
            logger.log({ msg: 'migrations applied', migrations: applied.map((m) => m.name) });
          }
        } catch (error) {
          await dataSource.destroy();
          throw error;
        }
        return dataSource;
      },
    }),
  ],
  providers: [DatabaseHealthIndicator, Sqlite],
  exports: [DatabaseHealthIndicator, Sqlite],
})
export class DatabaseModule {}
