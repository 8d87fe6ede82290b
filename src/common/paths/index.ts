import { isAbsolute, relative } from 'node:path';

/** Whether `path` is `folder` or inside it (both absolute; no links are followed). */
export function isWithin(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** `~/x` as a path under `home`; any other path unchanged. */
export function expandHome(path: string, home: string): string {
  return path === '~' || path.startsWith('~/') ? home + path.slice(1) : path;
}
