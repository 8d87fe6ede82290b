import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Injectable } from '@nestjs/common';

const run = promisify(execFile);
/** Enough for a large diff; git output beyond it is an error, not a silent cut. */
const MAX_OUTPUT = 16 * 1024 * 1024;

/**
 * Git in a project folder, for `/diff` and `/commit`: `git` is run directly (never through a
 * shell) with the paths after `--`, so a file name is never read as an option.
 */
@Injectable()
export class ProjectGit {
  async isRepository(cwd: string): Promise<boolean> {
    try {
      const { stdout } = await this.git(cwd, ['rev-parse', '--is-inside-work-tree']);
      return stdout.trim() === 'true';
    } catch {
      return false;
    }
  }

  /** What the working tree changed in `files`: tracked ones against HEAD, new ones whole. */
  async diff(cwd: string, files: string[]): Promise<string> {
    const untracked = new Set(
      (await this.git(cwd, ['ls-files', '--others', '--exclude-standard', '--', ...files])).stdout
        .split('\n')
        .filter(Boolean),
    );
    const tracked = files.filter((f) => !untracked.has(f));
    const hasHead = await this.git(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD']).then(
      () => true,
      () => false,
    );
    let out = '';
    if (tracked.length > 0) {
      const base = hasHead ? ['diff', 'HEAD'] : ['diff', '--cached'];
      out += (await this.git(cwd, [...base, '--', ...tracked])).stdout;
    }
    for (const file of untracked) {
      // --no-index exits 1 when the files differ, which they do: the output is the diff.
      out += await this.git(cwd, ['diff', '--no-index', '--', '/dev/null', file]).then(
        (r) => r.stdout,
        (error: { stdout?: string }) => error.stdout ?? '',
      );
    }
    return out;
  }

  /** Commits exactly `files` (whatever else is staged or changed stays out); the short hash. */
  async commit(cwd: string, files: string[], message: string): Promise<string> {
    await this.git(cwd, ['add', '--', ...files]);
    await this.git(cwd, ['commit', '--quiet', '--only', '-m', message, '--', ...files]);
    return (await this.git(cwd, ['rev-parse', '--short', 'HEAD'])).stdout.trim();
  }

  private git(cwd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run('git', args, { cwd, maxBuffer: MAX_OUTPUT, encoding: 'utf8' });
  }
}
