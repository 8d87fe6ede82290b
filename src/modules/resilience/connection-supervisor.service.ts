import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { BootPhase, OnBoot } from '../../common/boot';
import { Clock, Timer } from '../../common/clock';
import { EventBus } from '../../common/events';
import { SignalIntake, SignalTransport, Stream } from '../signal';
import { CatchUpService } from './catch-up.service';
import { ConnectionState, ConnectionStateMachine } from './connection-state-machine';
import { ReconnectBackoff } from './reconnect-backoff.service';

/**
 * Owns the Signal event stream: opens it, watches it, and reopens it forever after any error,
 * close, or silence longer than the transport's silence limit (a half-open stream). Waits
 * min(2^(n-1), 60) s before attempt n (optionally jittered). Never holds two streams. Every
 * (re)connect passes through SYNCING; one after a drop queues the catch-up summaries there.
 * Each state change goes out as a `link.changed` event.
 */
@Injectable()
export class ConnectionSupervisor implements OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionSupervisor.name);
  private readonly machine = new ConnectionStateMachine();
  private stream?: Stream;
  private retry?: Timer;
  private watchdog?: Timer;
  private running = false;
  private attemptNo = 0;
  private lastSeenAt = 0;
  private connectedAt?: number;
  private disconnectedAt?: number;
  /** Bumped for each stream, so callbacks of an old stream are ignored. */
  private generation = 0;

  constructor(
    private readonly transport: SignalTransport,
    private readonly intake: SignalIntake,
    private readonly catchUp: CatchUpService,
    private readonly backoff: ReconnectBackoff,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  get state(): ConnectionState {
    return this.machine.state;
  }

  get isConnected(): boolean {
    return this.machine.state === 'CONNECTED';
  }

  /** The reconnect attempt under way or waited for; 0 while connected. */
  get attempt(): number {
    return this.attemptNo;
  }

  /** Clock time the link last became CONNECTED, if ever. */
  get lastConnectedAt(): number | undefined {
    return this.connectedAt;
  }

  /** Connects now (the last boot step); from then on keeps the link up until shutdown. */
  @OnBoot(BootPhase.Connect)
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attemptNo = 0; // the first attempt is immediate; waits start with the first failure
    void this.openStream();
  }

  onApplicationShutdown(): void {
    this.running = false;
    this.retry?.cancel();
    this.watchdog?.cancel();
    this.generation++;
    this.stream?.close();
  }

  private async openStream(): Promise<void> {
    if (!this.running) return;
    this.move('RECONNECTING');
    const generation = ++this.generation;
    try {
      const stream = await this.transport.openStream({
        onEvent: (raw) => {
          if (generation !== this.generation) return;
          this.lastSeenAt = this.clock.nowMs();
          this.intake.receive(raw);
        },
        onKeepAlive: () => {
          if (generation === this.generation) this.lastSeenAt = this.clock.nowMs();
        },
        onClose: (reason) => {
          if (generation === this.generation) this.dropped(reason);
        },
      });
      if (!this.running || generation !== this.generation) {
        stream.close();
        return;
      }
      this.stream = stream;
      this.connected();
    } catch (error) {
      if (generation !== this.generation || !this.running) return;
      this.move('DISCONNECTED');
      this.scheduleAttempt(error instanceof Error ? error.message : String(error));
    }
  }

  private connected(): void {
    const now = this.clock.nowMs();
    this.lastSeenAt = now;
    this.attemptNo = 0;
    this.move('CONNECTED');
    this.connectedAt = now;
    this.logger.log({ msg: 'receiving from Signal', transport: this.transport.kind });
    this.watchdog?.cancel();
    // Six looks per limit: silence is noticed at most a sixth of the limit late.
    const limit = this.transport.silenceLimitMs;
    this.watchdog = this.clock.repeat(
      () => this.checkSilence(),
      Math.max(1000, limit / 6),
      'link-watchdog',
    );
    this.sync();
  }

  /**
   * SYNCING: catch up on what happened while the link was down. The catch-up is synchronous
   * (database writes only), so nothing can drop the link in the middle of it.
   */
  private sync(): void {
    this.move('SYNCING');
    try {
      if (this.disconnectedAt !== undefined) this.catchUp.catchUp(this.disconnectedAt);
    } finally {
      this.move('CONNECTED');
    }
  }

  private checkSilence(): void {
    const silentFor = this.clock.nowMs() - this.lastSeenAt;
    if (this.machine.state === 'CONNECTED' && silentFor > this.transport.silenceLimitMs) {
      this.dropped(
        `no event or keep-alive for ${Math.round(silentFor / 1000)} s (half-open stream)`,
      );
    }
  }

  private dropped(reason: string): void {
    if (this.machine.state === 'DISCONNECTED' || this.machine.state === 'RECONNECTING') return;
    this.generation++; // ignore whatever the old stream still says
    this.stream?.close();
    this.stream = undefined;
    this.watchdog?.cancel();
    this.disconnectedAt = this.clock.nowMs();
    this.move('DISCONNECTED');
    if (!this.running) return;
    this.attemptNo = 1;
    this.scheduleAttempt(reason);
  }

  private scheduleAttempt(reason: string): void {
    const delay = this.backoff.delayMs(this.attemptNo);
    this.logger.warn({
      msg: 'Signal event stream down; reconnecting',
      reason,
      attempt: this.attemptNo,
      inMs: delay,
    });
    this.retry?.cancel();
    this.retry = this.clock.schedule(() => this.openStream(), delay, 'reconnect');
  }

  private move(to: ConnectionState): void {
    const from = this.machine.move(to);
    if (to === 'DISCONNECTED' && from === 'RECONNECTING') this.attemptNo++;
    this.events.emit('link.changed', {
      from,
      to,
      at: this.clock.nowMs(),
      attempt: this.attemptNo,
    });
  }
}
