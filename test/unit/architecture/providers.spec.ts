import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODULE_METADATA } from '@nestjs/common/constants';

const SRC = join(__dirname, '..', '..', '..', 'src');
const MAX_COLLABORATORS = 6;
const MAX_AGENT_FILE_LINES = 300;

/** Every Nest module class the daemon declares, from the modules' and common's index files. */
function moduleClasses(): { name: string; providers: unknown[] }[] {
  const folders = [
    ...readdirSync(join(SRC, 'modules')).map((m) => join(SRC, 'modules', m)),
    ...readdirSync(join(SRC, 'common')).map((c) => join(SRC, 'common', c)),
  ];
  const found = new Map<string, unknown[]>();
  for (const folder of folders) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- every module, by folder
    const exported = require(folder) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exported)) {
      if (typeof value !== 'function' || !name.endsWith('Module')) continue;
      const providers = Reflect.getMetadata(MODULE_METADATA.PROVIDERS, value) as unknown[];
      if (providers) found.set(name, providers);
    }
  }
  return [...found].map(([name, providers]) => ({ name, providers }));
}

/** The class a provider entry builds: itself, or its `useClass`. */
function classOf(provider: unknown): (new (...args: never[]) => unknown) | undefined {
  if (typeof provider === 'function') return provider as new () => unknown;
  const useClass = (provider as { useClass?: unknown } | undefined)?.useClass;
  return typeof useClass === 'function' ? (useClass as new () => unknown) : undefined;
}

describe('the shape of the code', () => {
  it(`no provider takes more than ${MAX_COLLABORATORS} collaborators`, () => {
    const modules = moduleClasses();
    expect(modules.map((m) => m.name)).toEqual(
      expect.arrayContaining(['AgentModule', 'ApprovalsModule', 'SignalModule', 'OutboxModule']),
    );
    const counts = modules.flatMap(({ providers }) =>
      providers.map(classOf).flatMap((cls) => {
        if (!cls) return [];
        const params = (Reflect.getMetadata('design:paramtypes', cls) as unknown[]) ?? [];
        return [{ provider: cls.name, collaborators: params.length }];
      }),
    );
    expect(counts.length).toBeGreaterThan(40);
    expect(counts.filter((c) => c.collaborators > MAX_COLLABORATORS)).toEqual([]);
  });

  it(`no file of src/modules/agent is longer than ${MAX_AGENT_FILE_LINES} lines`, () => {
    const folder = join(SRC, 'modules', 'agent');
    const long = readdirSync(folder)
      .map((file) => ({ file, lines: readFileSync(join(folder, file), 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_AGENT_FILE_LINES);
    expect(long).toEqual([]);
  });
});
