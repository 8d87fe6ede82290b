import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../../src/common/config';
import { ProjectPaths, SessionError } from '../../../src/modules/sessions';
import { makeTempDir } from '../../utils/temp-dir';

describe('ProjectPaths', () => {
  const temp = makeTempDir();
  const base = realpathSync(temp.path);
  const rootA = join(base, 'root-a');
  const rootB = join(base, 'root-b');
  const outside = join(base, 'outside');
  let paths: ProjectPaths;

  beforeAll(() => {
    for (const dir of [join(rootA, 'api', 'src'), join(rootB, 'web'), join(outside, 'secret')]) {
      mkdirSync(dir, { recursive: true });
    }
    writeFileSync(join(rootA, 'notes.txt'), 'a file, not a folder');
    symlinkSync(outside, join(rootA, 'escape'));
    symlinkSync(join(rootA, 'api'), join(rootB, 'api-link'));
    paths = new ProjectPaths({
      sessions: { projectRoots: [rootA, rootB] },
    } as unknown as AppConfig);
  });
  afterAll(() => temp.remove());

  function refusal(requested: string): string {
    try {
      paths.resolve(requested);
    } catch (error) {
      if (error instanceof SessionError) return `${error.code}: ${error.message}`;
      throw error;
    }
    throw new Error(`"${requested}" was accepted`);
  }

  it('finds a folder by name under any root', () => {
    expect(paths.resolve('api')).toBe(join(rootA, 'api'));
    expect(paths.resolve(' web ')).toBe(join(rootB, 'web'));
    expect(paths.resolve('api/src')).toBe(join(rootA, 'api', 'src'));
  });

  it('accepts an absolute path inside a root, and a root itself', () => {
    expect(paths.resolve(join(rootA, 'api'))).toBe(join(rootA, 'api'));
    expect(paths.resolve(rootB)).toBe(rootB);
  });

  it('follows a symlink that stays inside the roots to its real path', () => {
    expect(paths.resolve('api-link')).toBe(join(rootA, 'api'));
  });

  it('refuses .. that leads outside the roots', () => {
    expect(refusal('../outside/secret')).toBe(
      `PROJECT_OUTSIDE_ROOTS: "../outside/secret" is outside the project roots (${rootA}, ${rootB}).`,
    );
    expect(refusal(join(rootA, '..', 'outside'))).toMatch(/^PROJECT_OUTSIDE_ROOTS: /);
    // Even where nothing exists: the answer does not reveal what lies outside.
    expect(refusal('../../no-such-folder')).toMatch(/^PROJECT_OUTSIDE_ROOTS: /);
  });

  it('refuses a symlink that escapes a root', () => {
    expect(refusal('escape')).toMatch(/^PROJECT_OUTSIDE_ROOTS: "escape" is outside/);
    expect(refusal('escape/secret')).toMatch(/^PROJECT_OUTSIDE_ROOTS: /);
  });

  it('refuses absolute paths outside every root', () => {
    expect(refusal('/etc')).toMatch(/^PROJECT_OUTSIDE_ROOTS: "\/etc" is outside/);
  });

  it('says when the folder does not exist or is a file', () => {
    expect(refusal('nope')).toBe('PROJECT_NOT_FOUND: No project folder "nope" was found.');
    expect(refusal('notes.txt')).toBe(
      'PROJECT_NOT_FOUND: No project folder "notes.txt" was found.',
    );
    expect(refusal('   ')).toBe('PROJECT_NOT_FOUND: No project folder was given.');
  });
});
