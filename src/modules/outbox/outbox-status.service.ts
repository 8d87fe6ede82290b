import { Injectable } from '@nestjs/common';
import { StatusPart } from '../commands';
import { RateLimiter } from '../rate-limit';
import { OutboxService } from './outbox.service';

/** The "Sending" line of /status: rate-limit state and what waits in the outbox. */
@Injectable()
export class OutboxStatus {
  constructor(
    private readonly outbox: OutboxService,
    private readonly limiter: RateLimiter,
  ) {}

  @StatusPart(20)
  sending(): string {
    const limit = this.limiter.snapshot();
    const state =
      limit.state === 'captcha-required'
        ? 'stopped: Signal wants a captcha (/captcha)'
        : limit.state === 'backing-off'
          ? `paused ${Math.ceil(limit.pausedForMs / 1000)} s by a Signal rate limit`
          : 'ok';
    return `Sending: ${state}; ${this.outbox.depth()} waiting in the outbox`;
  }
}
