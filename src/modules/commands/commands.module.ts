import { Module } from '@nestjs/common';
import { RecoveryModule } from '../recovery/recovery.module';
import { SessionsModule } from '../sessions';
import { SignalModule } from '../signal';
import { CommandRouter } from './command-router';
import { CommandsService } from './commands.service';
import { NoSessionPromptRunner, PromptRunner } from './prompt-runner';

@Module({
  // RecoveryModule is imported so that its boot-time recovery runs before intake starts.
  imports: [SignalModule, SessionsModule, RecoveryModule],
  providers: [
    CommandRouter,
    CommandsService,
    { provide: PromptRunner, useClass: NoSessionPromptRunner },
  ],
})
export class CommandsModule {}
