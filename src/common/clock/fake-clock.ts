import { Clock, Timer, TimerCallback } from './clock';

interface ScheduledTimer {
  readonly id: number;
  dueAt: number;
  readonly callback: TimerCallback;
  readonly name?: string;
  readonly intervalMs?: number;
}

/**
 * A clock for tests: time stands still until `advance` moves it. Due timers fire in order of
 * due time (ties in the order they were scheduled), with `now()` set to each timer's due time,
 * and pending promise callbacks are flushed after each one so async chains keep up.
 */
export class FakeClock extends Clock {
  private current: number;
  private nextId = 1;
  private timers: ScheduledTimer[] = [];

  constructor(start: Date | string | number = '2026-01-01T00:00:00.000Z') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  schedule(callback: TimerCallback, ms: number, name?: string): Timer {
    return this.add(callback, name, Math.max(0, ms));
  }

  repeat(callback: TimerCallback, ms: number, name?: string): Timer {
    return this.add(callback, name, Math.max(1, ms), Math.max(1, ms));
  }

  /** Timers scheduled and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Milliseconds until the next timer is due, or undefined when none is. */
  msUntilNextTimer(): number | undefined {
    const next = this.nextDue();
    return next === undefined ? undefined : next.dueAt - this.current;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError('FakeClock cannot go backwards');
    const target = this.current + ms;
    await flushMicrotasks();
    for (let next = this.nextDue(); next && next.dueAt <= target; next = this.nextDue()) {
      this.current = next.dueAt;
      this.fireDue(next);
      await flushMicrotasks();
    }
    this.current = target;
  }

  /** Advances exactly to the next due timer and fires it (and any due at the same instant). */
  async advanceToNextTimer(): Promise<void> {
    const wait = this.msUntilNextTimer();
    if (wait !== undefined) await this.advance(wait);
  }

  private add(
    callback: TimerCallback,
    name: string | undefined,
    delay: number,
    intervalMs?: number,
  ): Timer {
    const timer: ScheduledTimer = {
      id: this.nextId++,
      dueAt: this.current + delay,
      callback,
      name,
      intervalMs,
    };
    this.timers.push(timer);
    return {
      cancel: () => {
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  private nextDue(): ScheduledTimer | undefined {
    let best: ScheduledTimer | undefined;
    for (const t of this.timers) {
      if (!best || t.dueAt < best.dueAt || (t.dueAt === best.dueAt && t.id < best.id)) best = t;
    }
    return best;
  }

  private fireDue(timer: ScheduledTimer): void {
    if (timer.intervalMs === undefined) {
      this.timers = this.timers.filter((t) => t !== timer);
    } else {
      timer.dueAt += timer.intervalMs;
    }
    this.fire(timer.callback, timer.name);
  }
}

/** Lets every queued promise callback run (a macrotask turn drains the microtask queue). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
