import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Clock, Timer } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { InboundPipeline } from './inbound-pipeline';
import { InboundRecordRepository } from './inbound-record.repository';
import { SignalTransport, Stream } from './signal-transport';

const MAX_RECONNECT_DELAY_MS = 60_000;
const PURGE_EVERY_MS = 60 * 60 * 1000;
/** How long shutdown waits for messages being handled; an unfinished one is offered for /retry. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Keeps one event stream open and feeds every event to the pipeline. A dropped or refused
 * stream is retried after min(2^(n-1), 60) s. Also purges old inbound keys hourly.
 */
@Injectable()
export class SignalIntake implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SignalIntake.name);
  private stream?: Stream;
  private retry?: Timer;
  private purgeTimer?: Timer;
  /** Consecutive failures to connect or stay connected; 0 once a stream is open. */
  private failures = 0;
  private running = false;
  private connected = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly connectedListeners: (() => void)[] = [];

  constructor(
    private readonly transport: SignalTransport,
    private readonly pipeline: InboundPipeline,
    private readonly records: InboundRecordRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  get isConnected(): boolean {
    return this.connected;
  }

  /** Called each time the event stream (re)opens: Signal is reachable again. */
  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  /** Starts receiving (after recovery and once a handler is registered). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.purge();
    this.purgeTimer = this.clock.repeat(() => this.purge(), PURGE_EVERY_MS);
    void this.connect();
  }

  /** Stops receiving and lets messages already being handled finish before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.retry?.cancel();
    this.purgeTimer?.cancel();
    this.stream?.close();
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      this.clock.sleep(SHUTDOWN_GRACE_MS, grace.signal).catch(() => undefined),
    ]);
    grace.abort();
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    try {
      const stream = await this.transport.openStream({
        onEvent: (raw) => this.receive(raw),
        onClose: (reason) => this.dropped(reason),
      });
      if (!this.running) {
        stream.close();
        return;
      }
      this.stream = stream;
      this.connected = true;
      this.failures = 0;
      this.logger.log({ msg: 'receiving from Signal', transport: this.transport.kind });
      for (const listener of this.connectedListeners) listener();
    } catch (error) {
      this.scheduleReconnect(error instanceof Error ? error.message : String(error));
    }
  }

  private receive(raw: string): void {
    if (!this.running) return;
    const work = this.pipeline.process(raw);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private dropped(reason: string): void {
    this.connected = false;
    this.stream = undefined;
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: string): void {
    if (!this.running) return;
    this.failures++;
    const delay = Math.min(1000 * 2 ** (this.failures - 1), MAX_RECONNECT_DELAY_MS);
    this.logger.warn({ msg: 'Signal event stream down; reconnecting', reason, inMs: delay });
    this.retry = this.clock.schedule(() => void this.connect(), delay);
  }

  private purge(): void {
    const cutoff = this.clock.nowMs() - this.config.signal.inboundRetentionHours * 3_600_000;
    const purged = this.records.purge(new Date(cutoff).toISOString());
    if (purged > 0) this.logger.log({ msg: 'purged old inbound message keys', count: purged });
  }
}
