import { Injectable } from '@nestjs/common';
import { Clock, Timer, TimerCallback } from './clock';

/** Wall-clock time and Node's timers (a failing callback is reported, not thrown). */
@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  schedule(callback: TimerCallback, ms: number, name?: string): Timer {
    const handle = setTimeout(() => this.fire(callback, name), Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  }

  repeat(callback: TimerCallback, ms: number, name?: string): Timer {
    const handle = setInterval(() => this.fire(callback, name), Math.max(1, ms));
    return { cancel: () => clearInterval(handle) };
  }
}
