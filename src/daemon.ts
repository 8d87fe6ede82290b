import { isAscii } from 'node:buffer';
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { constants, Script } from 'node:vm';

/** The daemon as one file, relative to dist/: `npm run build` writes it (src/tools/bundle.ts). */
export const BUNDLE = join('bundle', 'daemon.js');

export interface CachedModule {
  exports: Record<string, unknown>;
  /** Whether V8 took its compiled code from the cache instead of compiling the source. */
  fromCache: boolean;
  /**
   * Writes what V8 has compiled so far (call it once the program is warm: every function that
   * ran by then is in it) for the next start, unless it came from the cache already. Best
   * effort: a folder that cannot be written just means no cache.
   */
  saveCache(): void;
}

/** Where `requireCached` keeps the code cache of `file` as it is now. */
export function codeCacheFile(file: string): string {
  const { size, mtimeMs } = statSync(file);
  const name = `${basename(file, '.js')}-${size}-${Math.trunc(mtimeMs)}-${process.version}-${process.arch}`;
  return join(dirname(file), `${name}.cache`);
}

/**
 * Runs a CommonJS file like `require` does, but through V8's code cache: a file beside it,
 * named for the file's size and time and for this Node, holds the code compiled by an earlier
 * run (Node 22 has this built in as `module.enableCompileCache`; Node 20 does not). A rebuilt
 * file or another Node gets its own cache, and saving removes the stale ones; V8 itself refuses
 * a cache that does not fit.
 */
export function requireCached(file: string): CachedModule {
  const cacheFile = codeCacheFile(file);
  const stem = basename(file, '.js');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // the first start after a build
  }
  // The bundle is ASCII (src/tools/bundle.ts): read as latin1 it is exact and decodes fastest.
  const bytes = readFileSync(file);
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    {
      filename: file,
      cachedData,
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as Record<string, unknown>, id: file, filename: file };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    fromCache,
    saveCache() {
      if (fromCache) return;
      try {
        const temporary = `${cacheFile}.${process.pid}`;
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
        for (const name of readdirSync(dirname(file)))
          if (
            name.startsWith(`${stem}-`) &&
            name.endsWith('.cache') &&
            name !== basename(cacheFile)
          )
            rmSync(join(dirname(file), name), { force: true });
      } catch {
        // read-only install: every start compiles, which is only slower
      }
    },
  };
}

/** How long the daemon runs before its code is cached: it has connected and answered probes. */
const WARM_MS = 2000;

/**
 * `npm start`: the daemon from its bundle (one file to read instead of ~1,500), compiled from
 * the code cache that its first run after a build wrote. `node dist/src/main.js` runs the same
 * daemon unbundled (readable stack traces, slower start).
 */
if (require.main === module) {
  const bundle = join(__dirname, '..', BUNDLE);
  if (!existsSync(bundle)) {
    process.stderr.write(`claude-signal-bridge is not built (no ${bundle}): run npm run build\n`);
    process.exit(1);
  }
  const daemon = requireCached(bundle);
  void (daemon.exports.start as () => Promise<void>)().then(() => {
    setTimeout(() => daemon.saveCache(), WARM_MS).unref();
  });
}
