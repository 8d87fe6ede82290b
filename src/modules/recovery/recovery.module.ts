import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions';
import { RecoveryService } from './recovery.service';

@Module({
  imports: [SessionsModule],
  providers: [RecoveryService],
  exports: [RecoveryService],
})
export class RecoveryModule {}
