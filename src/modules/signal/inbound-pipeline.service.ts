import { Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { maskIdentifier } from '../../common/logging';
import { CommandDispatcher } from '../commands';
import { parseSignalEvent } from './envelope-parser';
import { InboundRecords } from './inbound-records.service';
import { SenderAuthorizer } from './sender-authorizer.service';

export type PipelineOutcome =
  'handled' | 'duplicate' | 'unauthorized' | 'ignored' | 'malformed' | 'failed';

/**
 * Raw event → JSON → envelope → authorization → durable once-only record → command dispatch.
 * Nothing here throws: garbage is logged and skipped, and the stream goes on. A message whose
 * handling failed has been answered by the dispatcher and waits for /retry.
 */
@Injectable()
export class InboundPipeline {
  private readonly logger = new Logger(InboundPipeline.name);
  private readonly events: Counter<'outcome'>;
  /** When each stranger was last logged (masked id → clock ms). */
  private readonly strangersLogged = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly authorizer: SenderAuthorizer,
    private readonly records: InboundRecords,
    private readonly dispatcher: CommandDispatcher,
    private readonly clock: Clock,
    registry: Registry,
  ) {
    this.events = new Counter({
      name: 'bridge_inbound_events_total',
      help: 'Inbound Signal events by what became of them.',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  /**
   * Whether a stranger's message is the first from them in a while: a flood of spam is counted
   * by the metric, not written to the log line by line.
   */
  private firstInAWhile(who: string): boolean {
    const now = this.clock.nowMs();
    const last = this.strangersLogged.get(who);
    if (last !== undefined && now - last < STRANGER_QUIET_MS) return false;
    if (this.strangersLogged.size >= 1000) this.strangersLogged.clear(); // bounded
    this.strangersLogged.set(who, now);
    return true;
  }

  async process(raw: string): Promise<PipelineOutcome> {
    let outcome: PipelineOutcome;
    try {
      outcome = await this.run(raw);
    } catch (error) {
      // The database refused the record, the answer or the mark. A recorded message stays
      // `received` and is offered for /retry at the next boot; an unrecorded one is only logged.
      this.logger.error({ msg: 'inbound event failed', error: (error as Error).message });
      outcome = 'failed';
    }
    this.events.inc({ outcome });
    return outcome;
  }

  private async run(raw: string): Promise<PipelineOutcome> {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.logger.warn({ msg: 'skipped an event that is not JSON', bytes: Buffer.byteLength(raw) });
      return 'malformed';
    }
    const parsed = parseSignalEvent(json, this.config.signal.account);
    if (parsed.kind === 'malformed') {
      this.logger.warn({ msg: 'skipped a malformed event', problem: parsed.problem });
      return 'malformed';
    }
    if (parsed.kind === 'ignored') {
      this.logger.debug({ msg: 'ignored event', reason: parsed.reason });
      return 'ignored';
    }
    const message = parsed.message;
    const who = maskIdentifier(message.sender.uuid ?? message.sender.number);
    if (!this.authorizer.isAuthorized(message.sender)) {
      if (this.firstInAWhile(who))
        this.logger.warn({
          msg: `message from a sender who is not authorized (further ones from them for ${STRANGER_QUIET_MS / 60_000} min are only counted)`,
          sender: who,
        });
      return 'unauthorized';
    }
    if (!this.records.receive(message)) {
      this.logger.debug({ msg: 'dropped a re-delivered message', key: maskKey(message.key) });
      return 'duplicate';
    }
    const outcome = await this.dispatcher.handle(message);
    this.records.settle(message.key, outcome);
    return outcome === 'failed' ? 'failed' : 'handled';
  }
}

/** How long a stranger's further messages are only counted, not logged. */
const STRANGER_QUIET_MS = 10 * 60_000;

function maskKey(key: string): string {
  const [source, ...rest] = key.split(':');
  return [maskIdentifier(source), ...rest].join(':');
}
