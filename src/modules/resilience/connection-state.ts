import { DomainError } from '../../common/errors/domain-error';

export const CONNECTION_STATES = ['CONNECTED', 'DISCONNECTED', 'RECONNECTING', 'SYNCING'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

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

export class ConnectionError extends DomainError<'INVALID_TRANSITION'> {
  constructor(from: ConnectionState, to: ConnectionState) {
    super('INVALID_TRANSITION', `The Signal link cannot go from ${from} to ${to}.`);
  }
}

export interface ConnectionChange {
  from: ConnectionState;
  to: ConnectionState;
  /** Clock time of the change, ms. */
  at: number;
  /** The reconnect attempt under way (0 once connected). */
  attempt: number;
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
