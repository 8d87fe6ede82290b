export const SESSION_STATUSES = ['CREATED', 'ACTIVE', 'PAUSED', 'TERMINATED'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * The lifecycle: CREATED → ACTIVE ⇄ PAUSED → TERMINATED, and CREATED → TERMINATED.
 * ACTIVE, PAUSED and TERMINATED may "move" to themselves as a no-op; nothing else is allowed.
 */
const ALLOWED: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  CREATED: ['ACTIVE', 'TERMINATED'],
  ACTIVE: ['ACTIVE', 'PAUSED'],
  PAUSED: ['PAUSED', 'ACTIVE', 'TERMINATED'],
  TERMINATED: ['TERMINATED'],
};

export function isAllowedTransition(from: SessionStatus, to: SessionStatus): boolean {
  return ALLOWED[from].includes(to);
}
