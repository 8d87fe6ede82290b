import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { agentBench } from './agent.bench';
import { BenchResult, BenchSuite, round } from './harness';
import { inboundBench } from './inbound.bench';
import { outboxBench } from './outbox.bench';
import { progressBench } from './progress.bench';
import { sandboxBench } from './sandbox.bench';
import { sessionsBench } from './sessions.bench';
import { storageBaseline } from './storage.bench';
import { systemBench } from './system.bench';

const SUITES: BenchSuite[] = [
  storageBaseline,
  sessionsBench,
  inboundBench,
  outboxBench,
  agentBench,
  progressBench,
  sandboxBench,
  systemBench,
];

/**
 * `npm run bench [-- --json] [-- --only NAME]`: runs every suite and prints one figure a line,
 * with the ratio to the limit measured in the same run where there is one.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const results: BenchResult[] = [];
  for (const suite of SUITES) {
    if (only && suite.name !== only) continue;
    for (const result of await suite.run()) {
      print(result, json);
      results.push(result);
    }
  }
  // A whole run (not --only) is the record of every figure, committed with the change.
  if (!only) writeFileSync(RESULTS, markdownTable(results));
}

const RESULTS = join(__dirname, '..', '..', 'bench', 'results.md');

function markdownTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => {
    const ratio = r.ratio === undefined ? '' : String(round(r.ratio));
    const limit = r.limit === undefined ? '' : `${round(r.limit)} ${r.unit}`;
    return `| \`${r.name}\` | ${round(r.value)} | ${r.unit} | ${ratio} | ${limit} |`;
  });
  return [
    '# Benchmark results',
    '',
    `\`npm run bench\` on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    'Ratio: the figure over the limit measured in the same run (raw better-sqlite3 on the same table) or over the aim the issues set.',
    '',
    '| name | value | unit | ratio | limit or aim |',
    '| --- | ---: | --- | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

function print(result: BenchResult, json: boolean): void {
  const value = round(result.value);
  const ratio = result.ratio === undefined ? undefined : round(result.ratio);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ name: result.name, value, unit: result.unit, ...(ratio === undefined ? {} : { ratio }) })}\n`,
    );
    return;
  }
  const against =
    ratio === undefined
      ? ''
      : `   ratio ${ratio}${result.limit === undefined ? '' : ` of ${round(result.limit)} ${result.unit}`}`;
  process.stdout.write(
    `${result.name.padEnd(46)} ${String(value).padStart(12)} ${result.unit}${against}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
