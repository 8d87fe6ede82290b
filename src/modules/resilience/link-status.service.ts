import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { StatusPart } from '../commands';
import { SignalTransport } from '../signal';
import { ConnectionSupervisor } from './connection-supervisor.service';

/** The "Signal" line of /status: the link's state, and how long it has been down. */
@Injectable()
export class LinkStatus {
  constructor(
    private readonly connection: ConnectionSupervisor,
    private readonly transport: SignalTransport,
    private readonly clock: Clock,
  ) {}

  @StatusPart(10)
  link(): string {
    const link = this.connection;
    const state = link.state.toLowerCase();
    if (link.isConnected) return `Signal: ${state} (${this.transport.kind})`;
    const since = link.lastConnectedAt;
    const ago =
      since === undefined
        ? 'never connected'
        : `last connected ${Math.round((this.clock.nowMs() - since) / 1000)} s ago`;
    return `Signal: ${state}, attempt ${link.attempt}, ${ago} (${this.transport.kind})`;
  }
}
