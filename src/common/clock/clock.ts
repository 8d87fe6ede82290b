/** A scheduled callback that can be cancelled; cancelling twice or after it ran is harmless. */
export interface Timer {
  cancel(): void;
}

/** What a timer runs: a throw or a rejected promise is reported, never thrown on. */
export type TimerCallback = () => unknown;

/** Where a timer's failure goes (its name, and what it threw). */
export type TimerFailureHandler = (timer: string, error: unknown) => void;

/**
 * The only source of time. Domain code asks it for `now()` and schedules through it, so tests
 * can swap in `FakeClock` and move time forward without waiting.
 */
export abstract class Clock {
  private failureHandler: TimerFailureHandler = (timer, error) => {
    process.stderr.write(`timer ${timer} failed: ${String(error)}\n`);
  };

  abstract now(): Date;

  /**
   * Runs `callback` once after `ms` milliseconds (the injectable setTimeout). `name` labels a
   * failure of the callback in the log and in `bridge_timer_failures_total`.
   */
  abstract schedule(callback: TimerCallback, ms: number, name?: string): Timer;

  /** Runs `callback` every `ms` milliseconds until cancelled (the injectable setInterval). */
  abstract repeat(callback: TimerCallback, ms: number, name?: string): Timer;

  /** Where timer failures go from now on (the app logs and counts them: `TimerFailures`). */
  onTimerFailure(handler: TimerFailureHandler): void {
    this.failureHandler = handler;
  }

  /** Runs a timer's callback; what it throws, or the promise it returns rejects with, is reported. */
  protected fire(callback: TimerCallback, name: string | undefined): void {
    const label = name ?? (callback.name || 'unnamed');
    try {
      const result = callback();
      if (result instanceof Promise) {
        result.catch((error: unknown) => this.failureHandler(label, error));
      }
    } catch (error) {
      this.failureHandler(label, error);
    }
  }

  nowMs(): number {
    return this.now().getTime();
  }

  /** ISO 8601 form of `now()`, as stored in the database. */
  nowIso(): string {
    return this.now().toISOString();
  }

  /** Resolves after `ms`; rejects with the signal's reason if aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        timer.cancel();
        reject(abortReason(signal as AbortSignal));
      };
      const timer = this.schedule(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}
