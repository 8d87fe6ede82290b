import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { BootPhase, OnBoot } from '../../common/boot';
import { AppConfig } from '../../common/config';
import { InboundPipeline } from './inbound-pipeline.service';
import { InboundRecords } from './inbound-records.service';

/** How long shutdown waits for messages being handled; an unfinished one is offered for /retry. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Takes raw events from whoever holds the stream (the connection supervisor) into the pipeline,
 * keeps track of what is being handled, and purges old inbound keys (at boot here; after that on
 * the maintenance schedule).
 */
@Injectable()
export class SignalIntake implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SignalIntake.name);
  private running = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly pipeline: InboundPipeline,
    private readonly records: InboundRecords,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Starts accepting events (after recovery and the offer of what an earlier run left). */
  @OnBoot(BootPhase.StartIntake)
  start(): void {
    if (this.running) return;
    this.running = true;
    this.purgeExpired();
  }

  /** One raw event from the stream. */
  receive(raw: string): void {
    if (!this.running) return;
    const work = this.pipeline.process(raw);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Stops accepting events and lets messages being handled finish before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      this.clock.sleep(SHUTDOWN_GRACE_MS, grace.signal).catch(() => undefined),
    ]);
    grace.abort();
  }

  /** Forgets inbound keys older than INBOUND_RETENTION_HOURS; returns how many. */
  purgeExpired(): number {
    const cutoff = this.clock.nowMs() - this.config.signal.inboundRetentionHours * 3_600_000;
    const purged = this.records.purge(new Date(cutoff).toISOString());
    if (purged > 0) this.logger.log({ msg: 'purged old inbound message keys', count: purged });
    return purged;
  }
}
