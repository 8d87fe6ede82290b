import { HELP_TEXT } from '../utils/help-text';
import { ConnectionSupervisor } from '../../src/modules/resilience';
import { createSignalApp, OWNER, SignalTestApp } from '../utils/signal-harness';
import { waitFor } from '../utils/wait-for';

describe('simulator faults as the daemon sees them', () => {
  let t: SignalTestApp;
  beforeEach(async () => (t = await createSignalApp('signal-cli')));
  afterEach(() => t.close());

  const connected = () => t.app.get(ConnectionSupervisor).isConnected;

  it('refused connections: intake retries after 1 s, 2 s, … and gets in once the window ends', async () => {
    t.sim.refuseConnections(2_500);
    await waitFor(() => !connected(), 'the drop');
    await t.clock.advance(1000); // attempt 1 at t=1 s: refused
    await waitFor(() => t.clock.msUntilNextTimer() === 2000, 'the 2 s backoff');
    await t.clock.advance(2000); // attempt 2 at t=3 s: the window has ended
    await waitFor(connected, 'the reconnect');
    t.sim.phoneSends({ from: OWNER, text: '/help' });
    await waitFor(() => t.sim.sent.length === 1, 'the reply');
    expect(t.sim.sent[0].message).toBe(HELP_TEXT);
  });

  it('a stalled stream delivers nothing until it recovers, then everything once', async () => {
    t.sim.stallStreams();
    t.sim.phoneSends({ from: OWNER, text: '/help' });
    t.sim.phoneSends({ from: OWNER, text: '/status' });
    expect(t.sim.waitingEvents).toBe(2);
    expect(connected()).toBe(true); // half-open: the socket looks fine
    t.sim.stallStreams(false);
    await waitFor(() => t.sim.sent.length === 2, 'both replies');
    expect(t.sim.waitingEvents).toBe(0);
  });

  it('delayed answers arrive when the simulator’s clock says so', async () => {
    t.sim.delayResponses(5000);
    const timers = t.clock.pendingTimers;
    t.sim.phoneSends({ from: OWNER, text: '/help' });
    // The bot's request deadline and the simulator's delay are both waiting on the clock.
    await waitFor(() => t.clock.pendingTimers === timers + 2, 'the request to be held');
    expect(t.sim.sent).toHaveLength(0);
    await t.clock.advance(5000);
    await waitFor(() => t.sim.sent.length === 1, 'the reply after the delay');
    expect(t.sim.sent[0].message).toBe(HELP_TEXT);
  });
});
