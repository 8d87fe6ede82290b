/** A scheduled callback that can be cancelled; cancelling twice or after it ran is harmless. */
export interface Timer {
  cancel(): void;
}

/**
 * The only source of time. Domain code asks it for `now()` and schedules through it, so tests
 * can swap in `FakeClock` and move time forward without waiting.
 */
export abstract class Clock {
  abstract now(): Date;

  /** Runs `callback` once after `ms` milliseconds (the injectable setTimeout). */
  abstract schedule(callback: () => void, ms: number): Timer;

  /** Runs `callback` every `ms` milliseconds until cancelled (the injectable setInterval). */
  abstract repeat(callback: () => void, ms: number): Timer;

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
