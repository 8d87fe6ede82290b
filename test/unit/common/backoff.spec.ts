import { cappedBackoffMs } from '../../../src/common/backoff';

describe('cappedBackoffMs', () => {
  it('doubles from 1 s per attempt and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => cappedBackoffMs(n, 60_000))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });

  it('takes another base', () => {
    expect([1, 2, 3].map((n) => cappedBackoffMs(n, 1000, 250))).toEqual([250, 500, 1000]);
  });
});
