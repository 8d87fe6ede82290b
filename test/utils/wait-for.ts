/**
 * Yields to the event loop (I/O included) until `condition` holds. Bounded by turns of the
 * loop, not by wall-clock time: no sleeping. Throws `what` if it never holds.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what = 'condition',
  maxTurns = 200_000,
): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}
