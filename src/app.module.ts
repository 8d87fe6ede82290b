import { DynamicModule, Module } from '@nestjs/common';
import { BootModule } from './common/boot';
import { ClockModule } from './common/clock';
import { AppConfig, ConfigModule } from './common/config';
import { DatabaseModule } from './common/database';
import { DiscoveryModule } from './common/discovery';
import { EventsModule } from './common/events';
import { IdsModule } from './common/ids';
import { LoggingModule } from './common/logging';
import { MetricsModule } from './common/metrics';
import { RandomModule } from './common/random';
import { AgentModule } from './modules/agent';
import { ApprovalsModule } from './modules/approvals';
import { CommandsModule } from './modules/commands';
import { HealthModule } from './modules/health';
import { MaintenanceModule } from './modules/maintenance';
import { OutboxModule } from './modules/outbox';
import { RateLimitModule } from './modules/rate-limit';
import { RecoveryModule } from './modules/recovery';
import { ResilienceModule } from './modules/resilience';
import { SessionsModule } from './modules/sessions';
import { SignalModule } from './modules/signal';

/**
 * The daemon, built from an already-validated configuration. The order of the imports does not
 * matter: boot order is `BootPhase` (src/common/boot), and modules find each other's commands,
 * status lines and readiness checks by discovery.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        RandomModule,
        IdsModule,
        LoggingModule,
        MetricsModule,
        EventsModule,
        DiscoveryModule,
        DatabaseModule,
        BootModule,
        CommandsModule,
        SignalModule,
        RateLimitModule,
        OutboxModule,
        SessionsModule,
        ResilienceModule,
        RecoveryModule,
        ApprovalsModule,
        AgentModule,
        HealthModule,
        MaintenanceModule,
      ],
    };
  }
}
