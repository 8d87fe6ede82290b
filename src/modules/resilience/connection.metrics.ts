import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { EventBus } from '../../common/events';
import { CONNECTION_STATES, ConnectionState } from './connection-state-machine';

/** The Signal link's metrics, kept from `link.changed` events. */
@Injectable()
export class ConnectionMetrics {
  private state: ConnectionState = 'DISCONNECTED';
  private droppedAt?: number;

  constructor(events: EventBus, registry: Registry) {
    const reconnects = new Counter({
      name: 'bridge_signal_reconnects_total',
      help: 'Times the Signal event stream was reopened after a drop.',
      registers: [registry],
    });
    const downtime = new Counter({
      name: 'bridge_signal_disconnected_seconds_total',
      help: 'Seconds the Signal event stream was down.',
      registers: [registry],
    });
    const gauge: Gauge<'state'> = new Gauge({
      name: 'bridge_signal_connection_state',
      help: '1 for the current state of the Signal link.',
      labelNames: ['state'],
      registers: [registry],
      collect: () => {
        for (const s of CONNECTION_STATES) gauge.set({ state: s }, s === this.state ? 1 : 0);
      },
    });
    events.on('link.changed', ({ from, to, at }) => {
      this.state = to;
      if (to === 'DISCONNECTED' && from === 'CONNECTED') this.droppedAt = at;
      if (to === 'CONNECTED' && from === 'RECONNECTING' && this.droppedAt !== undefined) {
        downtime.inc((at - this.droppedAt) / 1000);
        reconnects.inc();
        this.droppedAt = undefined;
      }
    });
  }
}
