import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';

/** How Signal refuses one send; a `token` means it wants proof (a captcha) first. */
export interface RateLimitHit {
  token?: string;
  retryAfterSeconds?: number;
}

interface NextSendsFault {
  remaining: number;
  retryAfterSeconds?: number;
  proofRequired: boolean;
}

/**
 * Signal's own send limit: a bucket refilled continuously. Written apart from the daemon's
 * limiter on purpose — it is the oracle the daemon's limiter is tested against.
 */
class TokenBucket {
  private tokens: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private refilledAt: number,
  ) {
    this.tokens = burst;
  }

  take(now: number): RateLimitHit | undefined {
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.refilledAt) * this.perMinute) / 60_000,
    );
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return { retryAfterSeconds: Math.ceil(((1 - this.tokens) * 60) / this.perMinute) };
  }
}

/** The faults switched on now, read by the network and the APIs. */
export class Faults {
  /** Streams stay open but nothing is written to them. */
  stalled = false;
  /** Every non-control HTTP answer waits this long. */
  delayMs = 0;
  private refuseUntil = 0;
  private nextSends?: NextSendsFault;
  private bucket?: TokenBucket;
  private readonly challengeTokens = new Set<string>();

  constructor(private readonly clock: Clock) {}

  get refusing(): boolean {
    return this.clock.nowMs() < this.refuseUntil;
  }

  refuseFor(ms: number): void {
    this.refuseUntil = this.clock.nowMs() + ms;
  }

  rateLimitNext(
    count: number,
    options: { retryAfterSeconds?: number; proofRequired?: boolean },
  ): void {
    this.nextSends = {
      remaining: count,
      retryAfterSeconds: options.retryAfterSeconds,
      proofRequired: options.proofRequired ?? false,
    };
  }

  /** 0 (or less) turns the limit off. */
  limitRate(perMinute: number, burst: number): void {
    this.bucket = perMinute > 0 ? new TokenBucket(perMinute, burst, this.clock.nowMs()) : undefined;
  }

  /** Whether Signal refuses the send being made now; the next-N fault comes before the bucket. */
  takeRateLimit(): RateLimitHit | undefined {
    const fault = this.nextSends;
    if (fault && fault.remaining > 0) {
      fault.remaining--;
      const token = fault.proofRequired ? randomUUID() : undefined;
      if (token) this.challengeTokens.add(token);
      return {
        token,
        // Proof-required limits last a day on Signal unless it says otherwise.
        retryAfterSeconds: fault.retryAfterSeconds ?? (fault.proofRequired ? 86_400 : undefined),
      };
    }
    return this.bucket?.take(this.clock.nowMs());
  }

  /** A solved challenge lifts the next-N fault; each token works once. */
  liftChallenge(token: string | undefined): boolean {
    if (!token || !this.challengeTokens.delete(token)) return false;
    this.nextSends = undefined;
    return true;
  }

  /** Forgets every challenge handed out, as Signal does when they expire: captchas now fail. */
  expireChallenges(): void {
    this.challengeTokens.clear();
  }

  /** Turns every fault off. Tokens already handed out stay redeemable: Signal would not forget them. */
  clear(): void {
    this.refuseUntil = 0;
    this.stalled = false;
    this.delayMs = 0;
    this.nextSends = undefined;
    this.bucket = undefined;
  }
}
