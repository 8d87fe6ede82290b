import { FakeClock } from '../../../src/common/clock';

describe('FakeClock', () => {
  it('starts at the given time and stands still', () => {
    const clock = new FakeClock('2026-03-01T10:00:00.000Z');
    expect(clock.nowIso()).toBe('2026-03-01T10:00:00.000Z');
    expect(clock.nowMs()).toBe(Date.parse('2026-03-01T10:00:00.000Z'));
  });

  it('fires due timers in due order, ties in scheduling order, at their due time', async () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    const record = (name: string) => () => fired.push(`${name}@${clock.nowMs()}`);
    clock.schedule(record('c'), 300);
    clock.schedule(record('a'), 100);
    clock.schedule(record('b1'), 200);
    clock.schedule(record('b2'), 200);
    await clock.advance(250);
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200']);
    expect(clock.nowMs()).toBe(250);
    await clock.advance(50);
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never fires a cancelled timer', async () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    const keep = clock.schedule(() => fired.push('keep'), 10);
    const drop = clock.schedule(() => fired.push('drop'), 10);
    drop.cancel();
    drop.cancel();
    await clock.advance(1000);
    keep.cancel();
    expect(fired).toEqual(['keep']);
  });

  it('fires timers scheduled by other timers when they fall within the advance', async () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.schedule(() => {
      fired.push(clock.nowMs());
      clock.schedule(() => fired.push(clock.nowMs()), 50);
    }, 100);
    await clock.advance(149);
    expect(fired).toEqual([100]);
    await clock.advance(1);
    expect(fired).toEqual([100, 150]);
  });

  it('repeats intervals until cancelled', async () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    const interval = clock.repeat(() => fired.push(clock.nowMs()), 1000);
    await clock.advance(3500);
    interval.cancel();
    await clock.advance(5000);
    expect(fired).toEqual([1000, 2000, 3000]);
  });

  it('lets async work between timers settle', async () => {
    const clock = new FakeClock(0);
    const steps: number[] = [];
    const loop = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(1000);
        steps.push(clock.nowMs());
      }
    };
    const done = loop();
    await clock.advance(3000);
    await done;
    expect(steps).toEqual([1000, 2000, 3000]);
  });

  it('rejects a sleep when its signal aborts, and cancels its timer', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects a sleep whose signal is already aborted', async () => {
    const clock = new FakeClock(0);
    await expect(clock.sleep(1, AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
  });

  it('reports the wait until the next timer and jumps to it', async () => {
    const clock = new FakeClock(0);
    let fired = false;
    clock.schedule(() => (fired = true), 1234);
    expect(clock.msUntilNextTimer()).toBe(1234);
    await clock.advanceToNextTimer();
    expect(fired).toBe(true);
    expect(clock.nowMs()).toBe(1234);
    expect(clock.msUntilNextTimer()).toBeUndefined();
  });

  it('refuses to go backwards', async () => {
    await expect(new FakeClock(0).advance(-1)).rejects.toThrow(RangeError);
  });
});
