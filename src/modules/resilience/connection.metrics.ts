import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { EventBus } from '../../common/events';
import { CONNECTION_STATES, ConnectionState } from './connection-state-machine';

/** The Signal link's metrics, kept from `link.changed` events. */
@Injectable()
export class ConnectionMetrics {
  private state: ConnectionState = 'DISCONNECTED';
  private droppedAt?: number;
  /** Clock ms the link last came up, or went down (0 before the first attempt). */
  private since = 0;

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
    const since: Gauge = new Gauge({
      name: 'bridge_signal_link_since_timestamp_seconds',
      help: 'Unix time the Signal link came up (while connected) or went down (while not).',
      registers: [registry],
      collect: () => since.set(this.since / 1000),
    });
    events.on('link.changed', ({ from, to, at }) => {
      this.state = to;
      if (this.since === 0 || isUp(from) !== isUp(to)) this.since = at;
      if (to === 'DISCONNECTED' && from === 'CONNECTED') this.droppedAt = at;
      if (to === 'CONNECTED' && from === 'RECONNECTING' && this.droppedAt !== undefined) {
        downtime.inc((at - this.droppedAt) / 1000);
        reconnects.inc();
        this.droppedAt = undefined;
      }
    });
  }
}

/** SYNCING is a connected link catching up, not an outage. */
function isUp(state: ConnectionState): boolean {
  return state === 'CONNECTED' || state === 'SYNCING';
}
