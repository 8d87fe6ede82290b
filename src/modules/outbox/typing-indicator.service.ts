import { Injectable, Logger } from '@nestjs/common';
import { Clock, Timer } from '../../common/clock';
import { Conversation, conversationKey } from '../../common/conversations';
import { EventBus } from '../../common/events';
import { SignalTransport } from '../signal';

/** Signal shows a typing indicator for 15 s unless it is renewed or stopped. */
const RENEW_MS = 10_000;

/**
 * "Typing…" on the phone while a turn runs: sent at the start, renewed every 10 s, stopped at
 * the end. Best effort and never queued: a typing indicator that could not be sent is stale
 * by the time it could, so it is skipped while the link is down and failures are only logged.
 */
@Injectable()
export class TypingIndicator {
  private readonly logger = new Logger(TypingIndicator.name);
  private readonly active = new Map<string, { to: Conversation; count: number; renew: Timer }>();
  private connected = false;

  constructor(
    private readonly transport: SignalTransport,
    private readonly clock: Clock,
    events: EventBus,
  ) {
    events.on('link.changed', ({ to }) => {
      this.connected = to === 'CONNECTED';
      if (this.connected) for (const typing of this.active.values()) this.send(typing.to, false);
    });
  }

  start(to: Conversation): void {
    const key = conversationKey(to);
    const current = this.active.get(key);
    if (current) {
      current.count++;
      return;
    }
    const renew = this.clock.repeat(() => this.send(to, false), RENEW_MS, 'typing');
    this.active.set(key, { to, count: 1, renew });
    this.send(to, false);
  }

  stop(to: Conversation): void {
    const key = conversationKey(to);
    const current = this.active.get(key);
    if (!current || --current.count > 0) return;
    current.renew.cancel();
    this.active.delete(key);
    this.send(to, true);
  }

  private send(to: Conversation, stop: boolean): void {
    if (!this.connected) return;
    this.transport.sendTyping(to, stop).catch((error: unknown) => {
      this.logger.debug({ msg: 'typing indicator not sent', error: (error as Error).message });
    });
  }
}
