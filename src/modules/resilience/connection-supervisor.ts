import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { Clock, Timer } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { SignalIntake, SignalTransport, Stream } from '../signal';
import {
  CONNECTION_STATES,
  ConnectionChange,
  ConnectionState,
  ConnectionStateMachine,
} from './connection-state';

const MAX_RECONNECT_DELAY_MS = 60_000;

type Listener = (change: ConnectionChange) => void;

/**
 * Owns the Signal event stream: opens it, watches it, and reopens it forever after any error,
 * close, or silence longer than twice the transport's keep-alive (a half-open stream). Waits
 * min(2^(n-1), 60) s before attempt n (optionally jittered). Never holds two streams.
 */
@Injectable()
export class ConnectionSupervisor implements OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionSupervisor.name);
  private readonly machine = new ConnectionStateMachine();
  private readonly listeners: Listener[] = [];
  private readonly reconnects: Counter;
  private readonly downtime: Counter;
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
    private readonly clock: Clock,
    private readonly config: AppConfig,
    registry: Registry,
  ) {
    this.reconnects = new Counter({
      name: 'bridge_signal_reconnects_total',
      help: 'Times the Signal event stream was reopened after a drop.',
      registers: [registry],
    });
    this.downtime = new Counter({
      name: 'bridge_signal_disconnected_seconds_total',
      help: 'Seconds the Signal event stream was down.',
      registers: [registry],
    });
    const state: Gauge<'state'> = new Gauge({
      name: 'bridge_signal_connection_state',
      help: '1 for the current state of the Signal link.',
      labelNames: ['state'],
      registers: [registry],
      collect: () => {
        for (const s of CONNECTION_STATES) state.set({ state: s }, s === this.state ? 1 : 0);
      },
    });
  }

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

  /** Clock time of the last drop, if any (catch-up covers activity since then). */
  get lastDisconnectedAt(): number | undefined {
    return this.disconnectedAt;
  }

  /** Typed back edge: every state change, in order. */
  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Connects now (boot, after recovery); from then on keeps the link up until shutdown. */
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
    if (this.disconnectedAt !== undefined) {
      this.downtime.inc((now - this.disconnectedAt) / 1000);
      this.reconnects.inc();
    }
    this.attemptNo = 0;
    this.move('CONNECTED');
    this.connectedAt = now;
    this.logger.log({ msg: 'receiving from Signal', transport: this.transport.kind });
    this.watchdog?.cancel();
    const keepAlive = this.transport.keepAliveMs;
    this.watchdog = this.clock.repeat(() => this.checkSilence(), Math.max(1000, keepAlive / 3));
  }

  private checkSilence(): void {
    const silentFor = this.clock.nowMs() - this.lastSeenAt;
    if (this.machine.state === 'CONNECTED' && silentFor > 2 * this.transport.keepAliveMs) {
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
    if (this.machine.state === 'SYNCING') this.move('CONNECTED');
    this.move('DISCONNECTED');
    if (!this.running) return;
    this.attemptNo = 1;
    this.scheduleAttempt(reason);
  }

  /** Marks the catch-up after a reconnect; the resilience coordinator calls this. */
  beginSync(): boolean {
    if (this.machine.state !== 'CONNECTED') return false;
    this.move('SYNCING');
    return true;
  }

  endSync(): void {
    if (this.machine.state === 'SYNCING') this.move('CONNECTED');
  }

  private scheduleAttempt(reason: string): void {
    const base = Math.min(1000 * 2 ** (this.attemptNo - 1), MAX_RECONNECT_DELAY_MS);
    const delay = this.config.signal.reconnectJitter
      ? Math.round(base * (0.5 + Math.random() / 2))
      : base;
    this.logger.warn({
      msg: 'Signal event stream down; reconnecting',
      reason,
      attempt: this.attemptNo,
      inMs: delay,
    });
    this.retry?.cancel();
    this.retry = this.clock.schedule(() => void this.openStream(), delay);
  }

  private move(to: ConnectionState): void {
    const from = this.machine.move(to);
    if (to === 'DISCONNECTED' && from === 'RECONNECTING') this.attemptNo++;
    const change: ConnectionChange = { from, to, at: this.clock.nowMs(), attempt: this.attemptNo };
    for (const listener of this.listeners) listener(change);
  }
}
