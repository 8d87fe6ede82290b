import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { SystemClock } from './system-clock';
import { TimerFailures } from './timer-failures.service';

/** Provides `Clock`; tests replace it with `FakeClock` through `overrideProvider(Clock)`. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, TimerFailures],
  exports: [Clock],
})
export class ClockModule {}
