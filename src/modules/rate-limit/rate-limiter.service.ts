import { Injectable, Logger } from '@nestjs/common';
import { cappedBackoffMs } from '../../common/backoff';
import { Counter, Gauge, Registry } from 'prom-client';
import { Clock, Timer } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { maskIdentifier } from '../../common/logging';

export type RateLimitState = 'open' | 'backing-off' | 'captcha-required';

export interface RateLimitSnapshot {
  state: RateLimitState;
  /** Whole tokens available now. */
  tokens: number;
  /** Consecutive rate-limit answers not yet forgiven. */
  rejections: number;
  /** Milliseconds until sending may resume after a rate-limit answer (0 when not paused). */
  pausedForMs: number;
  waiting: number;
}

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

const EPSILON = 1e-9;

/**
 * Paces sends to Signal. A token bucket (`perMinute`, `burst`) serves waiters first come first
 * served; a rate-limit answer pauses everything for 1, 2, 4 … s (capped, or Signal's own
 * retry-after when longer); a proof-required answer stops sending until a captcha is solved.
 * All time comes from the injected Clock.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly msPerToken: number;
  private tokens: number;
  private refilledAt: number;
  private waiters: Waiter[] = [];
  private timer?: Timer;
  private pausedUntil = 0;
  private rejections = 0;
  private lastRejectionAt = 0;
  private challengeToken?: string;
  private readonly waits: Counter;

  constructor(
    private readonly clock: Clock,
    private readonly config: AppConfig,
    registry: Registry,
  ) {
    this.msPerToken = 60_000 / config.rateLimit.perMinute;
    this.tokens = config.rateLimit.burst;
    this.refilledAt = clock.nowMs();
    this.waits = new Counter({
      name: 'bridge_rate_limit_waits_total',
      help: 'Sends that had to wait for the rate limiter.',
      registers: [registry],
    });
    const backoff: Gauge = new Gauge({
      name: 'bridge_rate_limit_backoff_seconds',
      help: 'Seconds until sending resumes after a Signal rate-limit answer (0 when not paused).',
      registers: [registry],
      collect: () => backoff.set(this.snapshot().pausedForMs / 1000),
    });
    const captcha: Gauge = new Gauge({
      name: 'bridge_rate_limit_captcha_required',
      help: '1 while Signal demands a captcha before more messages can be sent.',
      registers: [registry],
      collect: () => captcha.set(this.challengeToken ? 1 : 0),
    });
  }

  /** Resolves when this caller may send one message; callers are served in arrival order. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.takeNow()) return Promise.resolve();
    this.waits.inc();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason);
          this.pump();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Whether a send could go right now without waiting. */
  canSend(): boolean {
    this.refill();
    return (
      !this.challengeToken &&
      this.clock.nowMs() >= this.pausedUntil &&
      this.waiters.length === 0 &&
      this.tokens >= 1 - EPSILON
    );
  }

  /** Signal answered with a rate limit; returns how long sending now pauses, in ms. */
  onRateLimited(retryAfterSeconds?: number): number {
    const now = this.clock.nowMs();
    this.rejections++;
    this.lastRejectionAt = now;
    const backoff = cappedBackoffMs(this.rejections, this.config.rateLimit.backoffCapMs);
    const pause = Math.max(backoff, (retryAfterSeconds ?? 0) * 1000);
    this.pausedUntil = Math.max(this.pausedUntil, now + pause);
    this.logger.warn({
      msg: 'Signal rate-limited a send; pausing',
      pauseMs: pause,
      rejections: this.rejections,
    });
    this.pump();
    return pause;
  }

  /** Signal wants a captcha (proof required): nothing is sent until `liftCaptcha`. */
  onProofRequired(challengeToken: string): void {
    if (this.challengeToken !== challengeToken) {
      this.logger.error({
        msg: 'Signal requires a captcha before sending more; send /captcha signalcaptcha://… from the phone',
        challengeToken: maskIdentifier(challengeToken),
      });
    }
    this.challengeToken = challengeToken;
    this.lastRejectionAt = this.clock.nowMs();
  }

  /** A send went through; enough quiet time after the last rejection forgets the backoff. */
  onSent(): void {
    if (
      this.rejections > 0 &&
      this.clock.nowMs() - this.lastRejectionAt >= this.config.rateLimit.cooldownMs
    ) {
      this.rejections = 0;
    }
  }

  /** The token to answer with a solved captcha, while one is required. */
  get challenge(): string | undefined {
    return this.challengeToken;
  }

  /** The captcha was accepted: sending resumes. */
  liftCaptcha(): void {
    this.challengeToken = undefined;
    this.logger.log('captcha accepted; sending resumes');
    this.pump();
  }

  /** Back to a full bucket, no backoff and no captcha; waiters are served. */
  reset(): void {
    this.tokens = this.config.rateLimit.burst;
    this.refilledAt = this.clock.nowMs();
    this.pausedUntil = 0;
    this.rejections = 0;
    this.challengeToken = undefined;
    this.pump();
  }

  snapshot(): RateLimitSnapshot {
    this.refill();
    const pausedForMs = Math.max(0, this.pausedUntil - this.clock.nowMs());
    return {
      state: this.challengeToken ? 'captcha-required' : pausedForMs > 0 ? 'backing-off' : 'open',
      tokens: Math.floor(this.tokens + EPSILON),
      rejections: this.rejections,
      pausedForMs,
      waiting: this.waiters.length,
    };
  }

  private refill(): void {
    const now = this.clock.nowMs();
    if (now > this.refilledAt) {
      this.tokens = Math.min(
        this.config.rateLimit.burst,
        this.tokens + (now - this.refilledAt) / this.msPerToken,
      );
      this.refilledAt = now;
    }
  }

  private takeNow(): boolean {
    if (this.challengeToken || this.clock.nowMs() < this.pausedUntil) return false;
    this.refill();
    if (this.tokens < 1 - EPSILON) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  /** Serves waiters while tokens last, then sleeps until the next one can be served. */
  private pump(): void {
    this.timer?.cancel();
    this.timer = undefined;
    while (this.waiters.length > 0) {
      if (this.challengeToken) return; // liftCaptcha pumps again
      const now = this.clock.nowMs();
      if (now < this.pausedUntil) {
        this.schedule(this.pausedUntil - now);
        return;
      }
      if (!this.takeNow()) {
        this.schedule(Math.max(1, Math.ceil((1 - this.tokens) * this.msPerToken - EPSILON)));
        return;
      }
      const waiter = this.waiters.shift() as Waiter;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
  }

  private schedule(ms: number): void {
    this.timer = this.clock.schedule(() => this.pump(), ms, 'rate-limit');
  }
}
