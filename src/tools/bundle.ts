import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build, Plugin } from 'esbuild';
import { BUNDLE } from '../daemon';

const DIST = join(__dirname, '..', '..');

/**
 * Left to Node at run time: the native SQLite addon; the Agent SDK (an ES module loaded only
 * when a turn starts, which finds its Claude Code binary next to itself); tree-sitter and its Bash
 * grammar, whose WebAssembly files are read from their packages; and pino, whose
 * transports load worker files by path.
 */
const EXTERNAL = [
  'better-sqlite3',
  '@anthropic-ai/claude-agent-sdk',
  'pino',
  'pino-pretty',
  'web-tree-sitter',
  'tree-sitter-bash',
];

/**
 * A package that is not installed stays a plain `require` (Nest and Terminus name optional peers,
 * such as `@nestjs/microservices`, that they load only when asked to).
 */
const notInstalledStaysExternal: Plugin = {
  name: 'not-installed-stays-external',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return undefined;
      try {
        createRequire(join(args.resolveDir, 'index.js')).resolve(args.path);
        return undefined;
      } catch {
        return { path: args.path, external: true };
      }
    });
  },
};

/**
 * `npm run build`, after tsc: the daemon (dist/src/main.js and everything it requires) as one
 * file, which `dist/src/daemon.js` starts. Node then reads and compiles one file instead of
 * about 1,500, the larger part of a restart. Minified, since its stack traces point into one
 * line anyway (`node dist/src/main.js` runs the sources); names are kept, as Nest and TypeORM go
 * by class names.
 */
async function bundle(): Promise<void> {
  const file = join(DIST, BUNDLE);
  const { outputFiles } = await build({
    entryPoints: [join(DIST, 'src', 'main.js')],
    outfile: file,
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: EXTERNAL,
    plugins: [notInstalledStaysExternal],
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, escapeNonAscii(outputFiles[0].text));
}

/**
 * esbuild escapes non-ASCII text in strings but not in regular expression literals (a library
 * matches `\x9b`, our approvals match 👍). Escaped there too, the file is ASCII and Node reads it
 * as one byte per character, which V8 scans fastest. `\uXXXX` means the same code unit in a
 * regular expression with or without the `u` flag (a surrogate pair still pairs).
 */
export function escapeNonAscii(source: string): string {
  return source.replace(
    /[\u0080-\uffff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// esbuild has printed what failed.
if (require.main === module) bundle().catch(() => process.exit(1));
