import { Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit';
import { RecoveryModule } from '../recovery/recovery.module';
import { ResilienceModule } from '../resilience';
import { SessionsModule } from '../sessions';
import { SignalModule } from '../signal';
import { CommandRouter } from './command-router';
import { CommandsService } from './commands.service';
import { NoSessionPromptRunner, PromptRunner } from './prompt-runner';

@Module({
  // RecoveryModule is imported so that its boot-time recovery runs before intake starts.
  imports: [SignalModule, SessionsModule, RecoveryModule, ResilienceModule, RateLimitModule],
  providers: [
    CommandRouter,
    CommandsService,
    { provide: PromptRunner, useClass: NoSessionPromptRunner },
  ],
})
export class CommandsModule {}
