import { maskIdentifier } from '../../../src/common/logging';

describe('maskIdentifier', () => {
  it.each([
    ['+15550100101', '+1555…0101'],
    ['+447700900123', '+4477…0123'],
    ['3f2a1b4c-0d5e-4f60-8a7b-9c0d1e2f9c1e', '3f2a…9c1e'],
    ['AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=', 'AQID…HyA='],
    ['bob.01', 'bo…'],
    ['', ''],
    [undefined, ''],
    [null, ''],
  ])('masks %p as %p', (input, expected) => {
    expect(maskIdentifier(input)).toBe(expected);
  });

  it('never returns the whole identifier', () => {
    for (const value of ['+15550100101', '3f2a1b4c-0d5e-4f60-8a7b-9c0d1e2f9c1e', 'abcdef']) {
      expect(maskIdentifier(value)).not.toContain(value);
    }
  });
});
