import { FakeClock } from '../../../src/common/clock';
import { IdGenerator } from '../../../src/common/ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('IdGenerator', () => {
  it('makes RFC 9562 version 7 ids carrying the clock time', () => {
    const clock = new FakeClock('2026-01-01T00:00:00.000Z');
    const id = new IdGenerator(clock).next();
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(clock.nowMs());
  });

  it('stays strictly increasing while the clock stands still, and past 4,096 ids a millisecond', () => {
    const ids = new IdGenerator(new FakeClock(0));
    const made = Array.from({ length: 10_000 }, () => ids.next());
    expect(made.every((id) => UUID_V7.test(id))).toBe(true);
    expect(made.slice(1).every((id, i) => id > made[i])).toBe(true);
    expect(new Set(made).size).toBe(10_000);
  });

  it('stays increasing when the clock steps back', () => {
    let now = 10_000;
    const steppingClock = Object.assign(new FakeClock(0), { nowMs: () => now });
    const ids = new IdGenerator(steppingClock);
    const first = ids.next();
    now = 5_000;
    const second = ids.next();
    now = 10_001;
    const third = ids.next();
    expect([first, second, third]).toEqual([first, second, third].sort());
    expect(new Set([first, second, third]).size).toBe(3);
    expect(parseInt(third.replace(/-/g, '').slice(0, 12), 16)).toBe(10_001);
  });
});
