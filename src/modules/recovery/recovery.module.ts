import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions';
import { RecoveryRunRepository } from './recovery-run.repository';
import { RecoveryService } from './recovery.service';

/** Crash recovery at boot (the `Recovery` boot phase). */
@Module({
  imports: [SessionsModule],
  providers: [RecoveryService, RecoveryRunRepository],
  exports: [RecoveryService],
})
export class RecoveryModule {}
