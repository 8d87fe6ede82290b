import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { CONFIG_VARIABLES } from '../../src/common/config';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { CommandRegistry } from '../../src/modules/commands';
import { createApp, TestApp } from '../utils/create-app';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of the first table after `heading`: each row's first cell. */
function firstCells(heading: string): string[] {
  const section = README.slice(README.indexOf(heading));
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|')[1].trim());
  }
  return rows;
}

const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('README tells the truth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createApp({ listen: false });
  });
  afterAll(() => t.close());

  it('the configuration table names every variable the daemon reads, and no other', () => {
    const documented = firstCells('## Configuration').flatMap(codeSpans);
    expect(documented.sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('the commands table names every command the daemon declares', () => {
    const documented = firstCells('### Commands')
      .flatMap(codeSpans)
      .map((usage) => usage.split(' ')[0])
      .filter((name) => /^\/[a-z]/.test(name)); // not the "anything else starting with /" row
    const declared = t.app
      .get(CommandRegistry)
      .all()
      .map((c) => c.name);
    expect(documented.sort()).toEqual(declared.sort());
  });

  it('the "who imports whom" list is each module’s real @Module imports', () => {
    const section = README.slice(README.indexOf('**Who imports whom**'));
    const documented = Object.fromEntries(
      section
        .split('\n')
        .slice(1)
        .filter((line) => /^- `[a-z-]+` → /.test(line))
        .map((line) => {
          const [module, rest] = line.slice(2).split(' → ');
          const imports = rest.split(/:|\.$/)[0];
          return [codeSpans(module)[0], codeSpans(imports).sort()];
        }),
    );
    const modules = join(__dirname, '..', '..', 'src', 'modules');
    const folders = readdirSync(modules);
    const kebab = (name: string) =>
      name
        .replace(/Module$/, '')
        .replace(/([a-z])([A-Z])/g, '$1-$2')
        .toLowerCase();
    const real = Object.fromEntries(
      folders.map((folder) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- each module by folder
        const exported = require(join(modules, folder)) as Record<string, unknown>;
        const moduleClass = Object.entries(exported).find(([name]) => name.endsWith('Module'))?.[1];
        const imports = (Reflect.getMetadata(MODULE_METADATA.IMPORTS, moduleClass as object) ??
          []) as unknown[];
        const ours = imports
          .map((i) => (typeof i === 'function' ? kebab(i.name) : undefined))
          .filter((name): name is string => !!name && folders.includes(name));
        return [folder, ours.sort()];
      }),
    );
    expect(documented).toEqual(real);
  });

  it('the metrics table names every metric of the daemon’s own', async () => {
    const documented = README.split('\n')
      .filter((line) => line.startsWith('| `bridge_'))
      .map((line) => codeSpans(line.split('|')[1])[0].replace(/\{.*$/, ''));
    const registered = (await t.app.get(Registry).getMetricsAsJSON())
      .map((m) => m.name)
      .filter((name) => name.startsWith('bridge_'));
    expect(documented.sort()).toEqual(registered.sort());
  });

  it('links only to places inside the repository', () => {
    const links = [...README.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
    const outside = links.filter((link) => link.startsWith('..') || link.startsWith('/'));
    expect(outside).toEqual([]);
  });
});
