import { OutboxDispatcher } from '../../src/modules/outbox/outbox-dispatcher.service';
import { TestApp } from './create-app';
import { waitFor } from './wait-for';

/**
 * Moves the fake clock forward one timer at a time, letting loopback I/O finish in between,
 * until `done` holds. Time only jumps while no request to Signal is under way. Returns the
 * fake time taken.
 */
export async function runClockUntil(
  t: TestApp,
  done: () => boolean,
  maxSteps = 20_000,
): Promise<number> {
  const start = t.clock.nowMs();
  const dispatcher = t.app.get(OutboxDispatcher);
  for (let step = 0; step < maxSteps; step++) {
    await waitFor(() => done() || !dispatcher.sending, 'the send under way to finish');
    // One more look after the request settled: its answer may have made `done` true.
    await new Promise((resolve) => setImmediate(resolve));
    if (done()) return t.clock.nowMs() - start;
    if (dispatcher.sending) continue; // a send started meanwhile: let it finish first
    await t.clock.advanceToNextTimer();
  }
  throw new Error('runClockUntil: too many steps');
}
