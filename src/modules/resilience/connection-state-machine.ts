import { DomainError } from '../../common/errors';
import { LINK_STATES, LinkChange, LinkState } from '../../common/events';

export const CONNECTION_STATES = LINK_STATES;
export type ConnectionState = LinkState;
export type ConnectionChange = LinkChange;

/**
 * CONNECTED → DISCONNECTED → RECONNECTING → (CONNECTED | DISCONNECTED), and
 * CONNECTED → SYNCING → CONNECTED. Nothing else.
 */
const ALLOWED: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  CONNECTED: ['DISCONNECTED', 'SYNCING'],
  DISCONNECTED: ['RECONNECTING'],
  RECONNECTING: ['CONNECTED', 'DISCONNECTED'],
  SYNCING: ['CONNECTED'],
};

declare module '../../common/errors/domain-error' {
  interface ErrorCodes {
    connection: 'INVALID_TRANSITION';
  }
}

export class ConnectionError extends DomainError<'connection'> {
  constructor(from: ConnectionState, to: ConnectionState) {
    super('connection', 'INVALID_TRANSITION', `The Signal link cannot go from ${from} to ${to}.`);
  }
}

/** The link's state, changed only along the table above. */
export class ConnectionStateMachine {
  private current: ConnectionState = 'DISCONNECTED';

  get state(): ConnectionState {
    return this.current;
  }

  static allows(from: ConnectionState, to: ConnectionState): boolean {
    return ALLOWED[from].includes(to);
  }

  /** Moves to `to` or throws `ConnectionError`, changing nothing. Returns the state left. */
  move(to: ConnectionState): ConnectionState {
    const from = this.current;
    if (!ConnectionStateMachine.allows(from, to)) throw new ConnectionError(from, to);
    this.current = to;
    return from;
  }
}
