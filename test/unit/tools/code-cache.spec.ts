import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeCacheFile, requireCached } from '../../../src/daemon';
import { escapeNonAscii } from '../../../src/tools/bundle';
import { makeTempDir } from '../../utils/temp-dir';

const MODULE = `
  const { join } = require('node:path');
  exports.twice = (n) => n * 2;
  exports.where = join(__dirname, 'x') === __filename.replace(/[^/]+$/, 'x');
  module.exports.thumb = '👍';
`;

describe('running the bundle through the code cache', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: string;
  beforeEach(() => {
    temp = makeTempDir();
    file = join(temp.path, 'daemon.js');
    writeFileSync(file, MODULE);
  });
  afterEach(() => temp.remove());

  const caches = () => readdirSync(temp.path).filter((name) => name.endsWith('.cache'));

  it('runs the file as require would; once saved, the next run takes its code from the cache', () => {
    const first = requireCached(file);
    expect(first.fromCache).toBe(false);
    expect(first.exports).toEqual({ twice: expect.any(Function), where: true, thumb: '👍' });
    expect((first.exports.twice as (n: number) => number)(21)).toBe(42);
    expect(caches()).toEqual([]);

    first.saveCache();
    expect(caches()).toEqual([codeCacheFile(file).split('/').pop()]);

    const second = requireCached(file);
    expect(second.fromCache).toBe(true);
    expect((second.exports.twice as (n: number) => number)(2)).toBe(4);
    writeFileSync(codeCacheFile(file), 'left alone');
    second.saveCache(); // it came from the cache: nothing new to write
    expect(readFileSync(codeCacheFile(file), 'utf8')).toBe('left alone');
  });

  it('a rebuilt file gets its own cache, and saving it removes the stale one', () => {
    requireCached(file).saveCache();
    const stale = codeCacheFile(file);

    writeFileSync(file, MODULE.replace('n * 2', 'n * 3'));
    utimesSync(file, new Date(2030, 0, 1), new Date(2030, 0, 1));
    expect(codeCacheFile(file)).not.toBe(stale);

    const rebuilt = requireCached(file);
    expect(rebuilt.fromCache).toBe(false);
    expect((rebuilt.exports.twice as (n: number) => number)(2)).toBe(6);
    rebuilt.saveCache();
    expect(caches()).toEqual([codeCacheFile(file).split('/').pop()]);
  });

  it('a cache it cannot write is only a slower next start', () => {
    mkdirSync(`${codeCacheFile(file)}.${process.pid}`); // the write lands on a folder
    const loaded = requireCached(file);
    expect(() => loaded.saveCache()).not.toThrow();
    expect(caches()).toEqual([]);
    expect(requireCached(file).fromCache).toBe(false);
  });
});

describe('the bundle is made ASCII', () => {
  it('escapes what esbuild leaves in regular expressions, which still match the same text', () => {
    const source = String.raw`[/^(yes|👍)[\s.!]*$/i, /[👍👎]/u, /\u009b|é/]`;
    const escaped = escapeNonAscii(source);
    expect(escaped).toBe(
      String.raw`[/^(yes|\ud83d\udc4d)[\s.!]*$/i, /[\ud83d\udc4d\ud83d\udc4e]/u, /\u009b|\u00e9/]`,
    );
    const [yes, thumbs, other] = new Function(`return ${escaped}`)() as RegExp[];
    expect(yes.test('👍')).toBe(true);
    expect(yes.test('👎')).toBe(false);
    expect('👎'.match(thumbs)?.[0]).toBe('👎');
    expect(other.test('café')).toBe(true);
  });
});
