import { DynamicModule, Module } from '@nestjs/common';
import { ClockModule } from './common/clock';
import { AppConfig, ConfigModule } from './common/config';
import { DatabaseModule } from './common/database';
import { IdsModule } from './common/ids';
import { LoggingModule } from './common/logging';
import { MetricsModule } from './common/metrics';
import { CommandsModule } from './modules/commands/commands.module';
import { HealthModule } from './modules/health/health.module';
import { RecoveryModule } from './modules/recovery/recovery.module';
import { SessionsModule } from './modules/sessions';

/** The daemon, built from an already-validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        IdsModule,
        LoggingModule,
        MetricsModule,
        DatabaseModule,
        SessionsModule,
        RecoveryModule,
        CommandsModule,
        HealthModule,
      ],
    };
  }
}
