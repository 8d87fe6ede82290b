import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { EventBus } from '../../common/events';
import type { HandleOutcome } from '../commands';
import { InboundMessage } from './inbound-message';
import { InboundMessageRepository } from './inbound-message.repository';

/**
 * The one owner of an inbound record's life. Every message from an owner is recorded once
 * (`received`) before anything acts on it, then becomes:
 * - `handled` when its answer is out, or, for a prompt that waits in a turn queue ("held"),
 *   when its turn starts or it is dropped and named (the `message.started` event);
 * - `awaiting-retry` when its handling failed, or its held work failed later (`message.failed`):
 *   the phone was told, and `/retry` runs it again;
 * - taken at boot while still `received` (a crash came first): offered for `/retry`;
 * - `dropped` when the owner dismissed it (`/retry drop`).
 * Handled and dropped records are purged after INBOUND_RETENTION_HOURS; one waiting for
 * `/retry` is kept until it is retried or dropped.
 * The pipeline, `/retry` and the boot offer ask this service; nothing else moves a record.
 */
@Injectable()
export class InboundRecords {
  constructor(
    private readonly repository: InboundMessageRepository,
    private readonly clock: Clock,
    events: EventBus,
  ) {
    events.on('message.started', ({ key }) => this.handled(key));
    events.on('message.failed', ({ key }) => this.repository.markAwaitingRetry(key));
  }

  /** Records a new message; false when it was recorded before (a re-delivery). */
  receive(message: InboundMessage): boolean {
    return this.repository.recordOnce(message, this.clock.nowIso());
  }

  /** What the dispatcher made of it: the record moves on, or waits for the work to start. */
  settle(key: string, outcome: HandleOutcome): void {
    if (outcome === 'handled') this.handled(key);
    if (outcome === 'failed') this.repository.markAwaitingRetry(key);
    // 'held': marked once its work starts (`message.started`).
  }

  /** Messages of one conversation waiting for /retry, oldest first. */
  awaitingRetry(conversationKey: string): InboundMessage[] {
    return this.repository.awaitingRetry(conversationKey);
  }

  /** At boot: the messages an earlier run recorded but never handled (now offered for /retry). */
  takeUnhandled(): InboundMessage[] {
    return this.repository.takeUnhandled();
  }

  /** The owner dismissed a message waiting for /retry (`/retry drop`); false if it was not. */
  drop(key: string): boolean {
    return this.repository.drop(key, this.clock.nowIso());
  }

  /** Forgets handled and dropped messages received before `before`; returns how many. */
  purge(before: string): number {
    return this.repository.purge(before);
  }

  private handled(key: string): void {
    this.repository.markHandled(key, this.clock.nowIso());
  }
}
