import { Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { maskIdentifier } from '../../common/logging';
import { Conversation } from './inbound-message';
import { SendOutcome, SignalTransport } from './signal-transport';

/**
 * Sends text into a conversation through the configured transport. (The durable outbox, with
 * pacing and retries, will sit in front of this.)
 */
@Injectable()
export class SignalSender {
  private readonly logger = new Logger(SignalSender.name);
  private readonly sends: Counter<'result'>;

  constructor(
    private readonly transport: SignalTransport,
    registry: Registry,
  ) {
    this.sends = new Counter({
      name: 'bridge_signal_sends_total',
      help: 'Messages handed to the Signal transport, by result.',
      labelNames: ['result'],
      registers: [registry],
    });
  }

  async send(
    to: Conversation,
    text: string,
    quote?: { timestamp: number; author: string },
  ): Promise<SendOutcome> {
    try {
      const outcome = await this.transport.send({ to, text, quote });
      const failed = outcome.recipients.filter((r) => r.status !== 'sent');
      this.sends.inc({ result: failed.length === 0 ? 'sent' : failed[0].status });
      if (failed.length > 0) {
        this.logger.warn({
          msg: 'Signal did not deliver to every recipient',
          failures: failed.map((r) => ({ to: maskIdentifier(r.address), status: r.status })),
        });
      }
      return outcome;
    } catch (error) {
      this.sends.inc({ result: 'error' });
      throw error;
    }
  }
}
