import { AppConfig } from '../common/config';
import { BWRAP_PROBE_ARGS, findExecutable, SANDBOX_FIXES } from '../modules/agent/sandbox-probe';
import { CheckResult, DoctorContext, fail, pass, warn } from './check';
import { runProgram } from './program';

const TITLE = 'Sandbox';

/**
 * Claude Code's sandbox on this machine: on Linux bubblewrap, socat and unprivileged user
 * namespaces, each its own line with the command that fixes it. A missing part fails with
 * SANDBOX=on (prompts would be refused) and warns with auto (commands would run unconfined).
 */
export async function sandboxChecks(config: AppConfig, ctx: DoctorContext): Promise<CheckResult[]> {
  const mode = config.sandbox.mode;
  if (mode === 'off') {
    return [
      warn(
        TITLE,
        'off (SANDBOX=off): approved commands run with your full access',
        'set SANDBOX=auto',
      ),
    ];
  }
  const missing = mode === 'on' ? fail : warn;
  const consequence =
    mode === 'on' ? 'prompts are refused until it is fixed' : 'commands run without a sandbox';
  if (process.platform === 'darwin') return [pass(TITLE, 'Seatbelt (macOS)')];
  if (process.platform !== 'linux') {
    return [
      missing(
        TITLE,
        `no sandbox on ${process.platform}; ${consequence}`,
        SANDBOX_FIXES.UNSUPPORTED_PLATFORM,
      ),
    ];
  }
  const bwrap = findExecutable('bwrap', ctx.env.PATH);
  const socat = findExecutable('socat', ctx.env.PATH);
  const results = [
    bwrap
      ? pass(`${TITLE}: bubblewrap`, bwrap)
      : missing(
          `${TITLE}: bubblewrap`,
          `not installed; ${consequence}`,
          SANDBOX_FIXES.BWRAP_MISSING,
        ),
    socat
      ? pass(`${TITLE}: socat`, socat)
      : missing(`${TITLE}: socat`, `not installed; ${consequence}`, SANDBOX_FIXES.SOCAT_MISSING),
  ];
  if (!bwrap) return results;
  const run = await runProgram(ctx.clock, bwrap, BWRAP_PROBE_ARGS, {
    env: { PATH: ctx.env.PATH },
    timeoutMs: ctx.timeoutMs,
  });
  const said = run.stderr.trim().split('\n')[0];
  const why = run.timedOut
    ? `no answer within ${ctx.timeoutMs} ms`
    : said || run.startError || `exit ${run.code}`;
  results.push(
    run.code === 0
      ? pass(`${TITLE}: user namespaces`, 'bubblewrap can make its namespaces')
      : missing(
          `${TITLE}: user namespaces`,
          `bubblewrap cannot start (${why}); ${consequence}`,
          SANDBOX_FIXES.USERNS_UNAVAILABLE,
        ),
  );
  return results;
}
