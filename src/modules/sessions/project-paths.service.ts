import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/config';
import { SessionError } from './session.errors';

/**
 * Turns what the user typed ("api", "~/projects/api", an absolute path) into the real path of
 * a folder inside one of the configured project roots, or refuses. Real paths are compared,
 * so `..` and symlinks cannot lead outside a root.
 */
@Injectable()
export class ProjectPaths {
  constructor(private readonly config: AppConfig) {}

  get roots(): readonly string[] {
    return this.config.sessions.projectRoots;
  }

  /**
   * The project folders directly under each root (hidden ones left out), sorted, as absolute
   * paths; a root that cannot be read lists nothing.
   */
  folders(): { root: string; name: string; path: string }[] {
    return this.roots.flatMap((root) => {
      try {
        return readdirSync(root, { withFileTypes: true })
          .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
          .map((entry) => entry.name)
          .sort()
          .map((name) => ({ root, name, path: join(root, name) }));
      } catch {
        return [];
      }
    });
  }

  resolve(requested: string): string {
    const trimmed = requested.trim();
    if (!trimmed) throw new SessionError('PROJECT_NOT_FOUND', 'No project folder was given.');
    const candidates = isAbsolute(trimmed)
      ? [trimmed]
      : this.roots.map((root) => resolve(root, trimmed));
    let found = false;
    for (const candidate of candidates) {
      const real = realDirectory(candidate);
      if (real === undefined) continue;
      found = true;
      if (this.insideRoot(real)) return real;
    }
    // A path that leaves every root by its own `..` or by being absolute elsewhere is refused as
    // such, whether or not it exists: the answer must not reveal what lies outside.
    if (found || candidates.every((candidate) => !this.lexicallyInside(candidate))) {
      throw new SessionError(
        'PROJECT_OUTSIDE_ROOTS',
        `"${trimmed}" is outside the project roots (${this.roots.join(', ')}).`,
      );
    }
    throw new SessionError('PROJECT_NOT_FOUND', `No project folder "${trimmed}" was found.`);
  }

  private lexicallyInside(path: string): boolean {
    return this.insideRoot(resolve(path));
  }

  private insideRoot(real: string): boolean {
    return this.roots.some((root) => {
      const rel = relative(root, real);
      return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
    });
  }
}

function realDirectory(path: string): string | undefined {
  try {
    const real = realpathSync.native(path);
    return statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}
