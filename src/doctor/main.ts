import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SystemClock } from '../common/clock';
import { errorText, fail, renderCheck } from './check';
import { runDoctor } from './doctor';
import { listProcesses } from './program';

/** How long one request to Signal or one run of the agent executable may take. */
const TIMEOUT_MS = 5000;

/**
 * `npm run doctor`: checks a real setup the way the daemon would meet it (same working
 * directory, same `.env`, same loader) and prints a checklist with a fix under each failure.
 * Exit code 0 when nothing failed (warnings allowed), 1 otherwise.
 */
async function main(): Promise<number> {
  let source: string;
  try {
    // As src/main.ts does: `.env` from the working directory; variables already set win.
    if (existsSync('.env')) {
      process.loadEnvFile('.env');
      source = `read ${resolve('.env')} and the environment`;
    } else {
      source = `no .env in ${process.cwd()}; the environment only`;
    }
  } catch (error) {
    const result = fail(
      'Configuration',
      `.env cannot be read (${errorText(error)})`,
      'make .env readable by this user',
    );
    return print(renderCheck(result), 1);
  }
  const clock = new SystemClock();
  const report = await runDoctor(
    {
      env: process.env,
      clock,
      timeoutMs: TIMEOUT_MS,
      listProcesses: () => listProcesses(clock, TIMEOUT_MS),
    },
    source,
  );
  return print(report.lines, report.ok ? 0 : 1);
}

function print(lines: readonly string[], code: number): Promise<number> {
  return new Promise((done) => process.stdout.write(`${lines.join('\n')}\n`, () => done(code)));
}

main().then(
  // Exit at once: an idle keep-alive connection to Signal must not hold the checklist up.
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `doctor failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
