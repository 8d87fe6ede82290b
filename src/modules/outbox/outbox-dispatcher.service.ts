import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { cappedBackoffMs } from '../../common/backoff';
import { Counter, Registry } from 'prom-client';
import { BootPhase, OnBoot } from '../../common/boot';
import { Clock, Timer } from '../../common/clock';
import { Conversation } from '../../common/conversations';
import { EventBus } from '../../common/events';
import { RateLimiter } from '../rate-limit';
import { OutgoingAttachment, SendOutcome, SignalTransport, SignalTransportError } from '../signal';
import { OutboxRepository, OutboxRow } from './outbox.repository';
import { splitMessage } from './split-message';

const MAX_RETRY_DELAY_MS = 60_000;
/** A send Signal refuses outright (HTTP 400) is tried this often before the row fails. */
const MAX_REJECTED_ATTEMPTS = 5;

type Delivery = 'sent' | 'wait' | 'failed';

/**
 * The one sender: takes pending rows strictly in id order, splits bodies at 2000 bytes, takes a
 * rate-limit token per part, and marks a row sent only with Signal's timestamp. While the link
 * is down, or a send fails, the head row waits (and so does everything behind it).
 */
@Injectable()
export class OutboxDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxDispatcher.name);
  private readonly sends: Counter<'result'>;
  private running = false;
  private loop?: Promise<void>;
  private again = false;
  private wake?: Timer;
  private abort = new AbortController();
  private inFlight = false;
  /** Learnt from `link.changed`: rows are sent only while the link is CONNECTED. */
  private linkUp = false;

  constructor(
    private readonly repository: OutboxRepository,
    private readonly transport: SignalTransport,
    private readonly limiter: RateLimiter,
    private readonly events: EventBus,
    private readonly clock: Clock,
    registry: Registry,
  ) {
    this.sends = new Counter({
      name: 'bridge_outbox_sends_total',
      help: 'Message parts sent to Signal, and failures, by result.',
      labelNames: ['result'],
      registers: [registry],
    });
    events.on('outbox.enqueued', () => this.kick());
    events.on('link.changed', ({ from, to }) => {
      this.linkUp = to === 'CONNECTED';
      // Drain once the link is back and the catch-up is queued (SYNCING → CONNECTED).
      if (from !== 'SYNCING' || to !== 'CONNECTED') return;
      this.repository.dueNow(this.clock.nowIso());
      this.kick();
    });
  }

  /** Starts sending (after recovery and the boot offers are queued). */
  @OnBoot(BootPhase.StartOutbox)
  start(): void {
    this.running = true;
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.cancel();
    this.abort.abort(new Error('shutting down'));
    await this.loop;
  }

  /** Starts draining unless a drain is already running (which then looks again). */
  kick(): void {
    if (!this.running) return;
    if (this.loop) {
      this.again = true;
      return;
    }
    this.wake?.cancel();
    this.wake = undefined;
    this.loop = this.drain()
      .catch((error: unknown) => {
        // A database error: nothing was marked sent, so try again shortly.
        this.logger.error({ msg: 'outbox dispatch failed', error: (error as Error).message });
        if (this.running) this.wake = this.clock.schedule(() => this.kick(), 1000, 'outbox');
      })
      .finally(() => {
        this.loop = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Whether a request to Signal is under way right now. */
  get sending(): boolean {
    return this.inFlight;
  }

  /**
   * The message this row edits: its own `edit_of`, or for a turn's progress update the turn's
   * first progress message once that was sent (settled now, not when the update was written).
   */
  private editTarget(row: OutboxRow): number | undefined {
    if (row.edit_of) return row.edit_of;
    if (row.kind !== 'progress' || !row.turn_key) return undefined;
    const original = this.repository.progressOriginal(row.turn_key);
    if (original === null) return undefined;
    this.repository.setEditOf(row.id, original);
    return original;
  }

  private async drain(): Promise<void> {
    while (this.running) {
      if (!this.linkUp) return; // rows wait; the link coming back kicks again
      const head = this.repository.head();
      if (!head) return;
      const waitMs = Date.parse(head.next_attempt_at) - this.clock.nowMs();
      if (waitMs > 0) {
        this.wake = this.clock.schedule(() => this.kick(), waitMs, 'outbox');
        return;
      }
      let result: Delivery;
      try {
        result = await this.deliver(head);
      } catch (error) {
        if (!this.running) return; // aborted by shutdown; the row stays pending
        throw error;
      }
      if (result === 'wait') continue; // head is rescheduled or the limiter paused; look again
    }
  }

  /** Sends the row; while it is on its way, nothing replaces, drops or folds it. */
  private async deliver(row: OutboxRow): Promise<Delivery> {
    this.repository.markSending(row.id);
    try {
      return await this.deliverParts(row);
    } finally {
      this.repository.markSending(undefined);
    }
  }

  private async deliverParts(row: OutboxRow): Promise<Delivery> {
    const to = JSON.parse(row.target) as Conversation;
    const parts = splitMessage(row.body);
    for (let part = row.parts_sent; part < parts.length; part++) {
      await this.limiter.acquire(this.abort.signal);
      let outcome: SendOutcome;
      this.inFlight = true;
      try {
        outcome = await this.transport.send({
          to,
          text: parts[part],
          editTimestamp: parts.length === 1 ? this.editTarget(row) : undefined,
          quiet: row.quiet === 1,
          // Ranges point into the whole body: a body split in parts goes without them.
          textStyles: parts.length === 1 && row.styles ? JSON.parse(row.styles) : undefined,
          attachments: part === parts.length - 1 ? attachmentOf(row) : undefined,
        });
      } catch (error) {
        return this.failedAttempt(row, error);
      } finally {
        this.inFlight = false;
      }
      const verdict = this.judge(row, outcome);
      if (verdict !== 'sent') return verdict;
      this.limiter.onSent();
      this.sends.inc({ result: 'sent' });
      const done = part + 1 === parts.length;
      const signalTimestamp = outcome.timestamp as number;
      this.repository.partSent(row.id, part + 1, done, signalTimestamp, this.clock.nowIso());
      if (done) {
        this.events.emit('outbox.sent', {
          id: row.id,
          conversationKey: row.conversation_key,
          kind: row.kind,
          signalTimestamp,
        });
      }
    }
    return 'sent';
  }

  /** Reads Signal's answer: delivered, rate-limited (wait), or refused for good. */
  private judge(row: OutboxRow, outcome: SendOutcome): Delivery {
    const delivered = outcome.recipients.some((r) => r.status === 'sent');
    if (delivered && outcome.timestamp !== null) return 'sent';
    const limited = outcome.recipients.find((r) => r.status === 'rate-limited');
    if (limited) {
      this.sends.inc({ result: 'rate-limited' });
      if (limited.challengeToken) this.limiter.onProofRequired(limited.challengeToken);
      else this.limiter.onRateLimited(limited.retryAfterSeconds);
      return 'wait';
    }
    const permanent = outcome.recipients.find(
      (r) => r.status === 'unregistered' || r.status === 'identity-failure',
    );
    if (permanent) {
      this.sends.inc({ result: 'failed' });
      this.logger.error({
        msg: 'Signal refused a message for good',
        id: row.id,
        status: permanent.status,
      });
      this.repository.fail(row.id, permanent.status);
      return 'failed';
    }
    return this.retry(
      row,
      `send answered ${JSON.stringify(outcome.recipients.map((r) => r.status))}`,
    );
  }

  private failedAttempt(row: OutboxRow, error: unknown): Delivery {
    const message = error instanceof Error ? error.message : String(error);
    const rejected = error instanceof SignalTransportError && error.code === 'REJECTED';
    if (rejected && row.attempts + 1 >= MAX_REJECTED_ATTEMPTS) {
      this.sends.inc({ result: 'failed' });
      this.logger.error({
        msg: 'giving up on a message Signal keeps refusing',
        id: row.id,
        error: message,
      });
      this.repository.fail(row.id, message);
      return 'failed';
    }
    this.sends.inc({ result: 'error' });
    return this.retry(row, message);
  }

  private retry(row: OutboxRow, error: string): Delivery {
    const attempts = row.attempts + 1;
    const delay = cappedBackoffMs(attempts, MAX_RETRY_DELAY_MS);
    this.logger.warn({
      msg: 'message not sent; will retry',
      id: row.id,
      attempts,
      inMs: delay,
      error,
    });
    this.repository.retryLater(
      row.id,
      attempts,
      new Date(this.clock.nowMs() + delay).toISOString(),
      error,
    );
    return 'wait';
  }
}

/** The row's file, decoded from its JSON column. */
function attachmentOf(row: OutboxRow): OutgoingAttachment[] | undefined {
  if (!row.attachment) return undefined;
  const stored = JSON.parse(row.attachment) as Omit<OutgoingAttachment, 'data'> & { data: string };
  return [{ ...stored, data: Buffer.from(stored.data, 'base64') }];
}
