/**
 * The one map of in-process events: every back edge between modules (something lower tells
 * whoever cares above it) has its name and payload type here. Forward calls stay plain calls.
 */

export const LINK_STATES = ['CONNECTED', 'DISCONNECTED', 'RECONNECTING', 'SYNCING'] as const;
/** The Signal link's state (the machine lives in `resilience`). */
export type LinkState = (typeof LINK_STATES)[number];

export interface LinkChange {
  from: LinkState;
  to: LinkState;
  /** Clock time of the change, ms. */
  at: number;
  /** The reconnect attempt under way (0 once connected). */
  attempt: number;
}

export interface AppEvents {
  /** The Signal link moved (resilience). The outbox sends only while it is CONNECTED. */
  'link.changed': LinkChange;
  /** A message was written to the outbox (outbox); the dispatcher wakes up. */
  'outbox.enqueued': { id: number; kind: string };
  /** A whole outbox message reached Signal (outbox), with the timestamp Signal gave it. */
  'outbox.sent': { id: number; conversationKey: string; kind: string; signalTimestamp: number };
  /** Work a message asked for, held after its answer, has now started (commands → signal). */
  'message.started': { key: string };
  /** Held work failed unexpectedly; the phone was told, and the message waits for /retry. */
  'message.failed': { key: string };
}

export type AppEventName = keyof AppEvents;
