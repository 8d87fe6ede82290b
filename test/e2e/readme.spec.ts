import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { CONFIG_VARIABLES } from '../../src/common/config';
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
