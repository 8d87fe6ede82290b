import { Injectable } from '@nestjs/common';
import { cappedBackoffMs } from '../../common/backoff';
import { AppConfig } from '../../common/config';
import { Random } from '../../common/random';

const MAX_RECONNECT_DELAY_MS = 60_000;

/** How long to wait before reconnect attempt n: min(2^(n-1), 60) s, optionally jittered. */
@Injectable()
export class ReconnectBackoff {
  constructor(
    private readonly config: AppConfig,
    private readonly random: Random,
  ) {}

  delayMs(attempt: number): number {
    const base = cappedBackoffMs(attempt, MAX_RECONNECT_DELAY_MS);
    // Jitter spreads the waits over 50–100 % of the backoff, so many clients do not retry at once.
    return this.config.signal.reconnectJitter
      ? Math.round(base * (0.5 + this.random.next() / 2))
      : base;
  }
}
