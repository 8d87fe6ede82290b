import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../utils/temp-dir';

const ROOT = join(__dirname, '..', '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

/** Runs `npm run deps`'s check over a made-up tree of files; returns its exit code and output. */
function cruise(files: Record<string, string>): { code: number | null; output: string } {
  const temp = makeTempDir();
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(temp.path, path, '..'), { recursive: true });
      writeFileSync(join(temp.path, path), text);
    }
    writeFileSync(
      join(temp.path, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', strict: true } }),
    );
    const run = spawnSync(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'err'], {
      cwd: temp.path,
      encoding: 'utf8',
    });
    return { code: run.status, output: run.stdout + run.stderr };
  } finally {
    temp.remove();
  }
}

describe('npm run lint: the dependency rules', () => {
  it('fail on an import cycle made only of type imports', () => {
    const result = cruise({
      'src/modules/a/a.ts': "import type { B } from '../b/b';\nexport interface A { b?: B }\n",
      'src/modules/b/b.ts': "import type { A } from '../a/a';\nexport interface B { a?: A }\n",
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('error no-circular: src/modules/a/a.ts');
  });

  it('fail when src/common imports a module, except the entity list', () => {
    const result = cruise({
      'src/modules/m/m.entity.ts': 'export class M {}\n',
      'src/common/database/entities.ts':
        "import { M } from '../../modules/m/m.entity';\nexport const E = [M];\n",
      'src/common/util.ts': "import { M } from '../modules/m/m.entity';\nexport const u = M;\n",
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('error common-is-below-the-modules: src/common/util.ts');
    expect(result.output).not.toContain('src/common/database/entities.ts →');
  });

  it('pass a tree whose imports go one way', () => {
    const result = cruise({
      'src/common/types.ts': 'export interface T { n: number }\n',
      'src/modules/a/a.ts':
        "import type { T } from '../../common/types';\nexport const a: T = { n: 1 };\n",
    });
    expect(result).toEqual({
      code: 0,
      output: expect.stringContaining('no dependency violations'),
    });
  });
});
