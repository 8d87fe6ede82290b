import { agentChecks } from './agent.checks';
import { sandboxChecks } from './sandbox.checks';
import { CheckResult, DoctorContext, renderCheck } from './check';
import { checkConfig } from './config.check';
import { checkSignal } from './signal.checks';
import { checkDatabase, checkDataDir, checkDiskSpace, checkProjectRoots } from './storage.checks';

export interface DoctorReport {
  readonly results: readonly CheckResult[];
  /** The checklist as printed. */
  readonly lines: readonly string[];
  /** No check failed (warnings allowed). */
  readonly ok: boolean;
}

/**
 * Runs every check in order: configuration first, and nothing else if it is invalid (each other
 * check needs it). `source` says where the environment came from, for the configuration line.
 */
export async function runDoctor(ctx: DoctorContext, source: string): Promise<DoctorReport> {
  const { result, config } = checkConfig(ctx.env, source);
  const results: CheckResult[] = [result];
  if (config) {
    // Signal and the agent wait on other processes: ask both at once.
    const [signal, agent, sandbox] = await Promise.all([
      checkSignal(config, ctx),
      agentChecks(config, ctx),
      sandboxChecks(config, ctx),
    ]);
    results.push(
      ...signal,
      ...agent,
      ...sandbox,
      ...checkProjectRoots(config),
      checkDataDir(config),
      checkDatabase(config),
      checkDiskSpace(config),
    );
  }
  const lines = results.flatMap(renderCheck);
  if (!config) lines.push('', 'The other checks need a valid configuration; they were not run.');
  lines.push('', summary(results));
  return { results, lines, ok: results.every((r) => r.status !== 'fail') };
}

function summary(results: readonly CheckResult[]): string {
  const count = (status: CheckResult['status']) =>
    results.filter((r) => r.status === status).length;
  const warnings = count('warn');
  return `${count('pass')} passed, ${warnings} warning${warnings === 1 ? '' : 's'}, ${count('fail')} failed.`;
}
