import {
  CONNECTION_STATES,
  ConnectionError,
  ConnectionStateMachine,
} from '../../../src/modules/resilience/connection-state-machine';

describe('connection state machine', () => {
  const allowed = [
    'CONNECTED→DISCONNECTED',
    'CONNECTED→SYNCING',
    'DISCONNECTED→RECONNECTING',
    'RECONNECTING→CONNECTED',
    'RECONNECTING→DISCONNECTED',
    'SYNCING→CONNECTED',
  ];

  it('allows exactly the documented transitions', () => {
    const actual = CONNECTION_STATES.flatMap((from) =>
      CONNECTION_STATES.filter((to) => ConnectionStateMachine.allows(from, to)).map(
        (to) => `${from}→${to}`,
      ),
    );
    expect(actual.sort()).toEqual([...allowed].sort());
  });

  it.each(
    CONNECTION_STATES.flatMap((from) =>
      CONNECTION_STATES.filter((to) => !allowed.includes(`${from}→${to}`)).map(
        (to) => [from, to] as const,
      ),
    ),
  )('rejects %s → %s and stays put', (from, to) => {
    const machine = new ConnectionStateMachine();
    const path: Record<string, string[]> = {
      DISCONNECTED: [],
      RECONNECTING: ['RECONNECTING'],
      CONNECTED: ['RECONNECTING', 'CONNECTED'],
      SYNCING: ['RECONNECTING', 'CONNECTED', 'SYNCING'],
    };
    for (const step of path[from]) machine.move(step as never);
    expect(machine.state).toBe(from);
    expect(() => machine.move(to)).toThrow(new ConnectionError(from, to));
    expect(machine.state).toBe(from);
  });
});
