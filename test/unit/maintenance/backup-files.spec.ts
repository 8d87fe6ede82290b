import {
  backupFileName,
  backupTakenAt,
  formatSize,
} from '../../../src/modules/maintenance/backup-files';

describe('backup file names', () => {
  it('name a backup by its UTC time to the second, so names sort in time order', () => {
    expect(backupFileName(new Date('2026-12-03T02:00:00.987Z'))).toBe(
      'bridge-2026-12-03T02-00-00Z.sqlite',
    );
    const names = ['2026-12-03T02:00:00Z', '2026-11-30T23:59:59Z', '2027-01-01T00:00:00Z'].map(
      (at) => backupFileName(new Date(at)),
    );
    expect([...names].sort()).toEqual([names[1], names[0], names[2]]);
  });

  it('read the time back from a backup’s name, and nothing from other files', () => {
    expect(backupTakenAt('bridge-2026-12-03T02-00-00Z.sqlite')).toEqual(
      new Date('2026-12-03T02:00:00Z'),
    );
    expect(backupTakenAt('bridge-2026-12-03T02-00-00Z.sqlite.partial')).toBeUndefined();
    expect(backupTakenAt('bridge.sqlite')).toBeUndefined();
  });
});

describe('formatSize', () => {
  it.each([
    [100, '1 KB'],
    [1536, '2 KB'],
    [1023 * 1024, '1023 KB'],
    [1024 * 1024 - 1, '1.0 MB'],
    [1024 * 1024, '1.0 MB'],
    [1.25 * 1024 * 1024, '1.3 MB'],
  ])('%d bytes: %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
