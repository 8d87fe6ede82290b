import { Injectable } from '@nestjs/common';
import { Clock, Timer } from './clock';

/** Wall-clock time and Node's timers. */
@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  schedule(callback: () => void, ms: number): Timer {
    const handle = setTimeout(callback, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  }

  repeat(callback: () => void, ms: number): Timer {
    const handle = setInterval(callback, Math.max(1, ms));
    return { cancel: () => clearInterval(handle) };
  }
}
