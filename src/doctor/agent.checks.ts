import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { AppConfig } from '../common/config';
import { CheckResult, DoctorContext, fail, pass, warn } from './check';
import { runProgram } from './program';

const EXECUTABLE = 'Claude Code';
const LOGIN = 'Claude login';

/** The executable (found, runs, its version) and the login it would use. */
export async function agentChecks(config: AppConfig, ctx: DoctorContext): Promise<CheckResult[]> {
  const executable = resolveAgentExecutable(config, ctx);
  return Promise.all([checkAgentExecutable(executable, ctx), checkAgentLogin(executable, ctx)]);
}

/** Where the agent executable is, or why it is not there. */
export type ResolvedExecutable = { path: string } | { missing: string; fix: string };

const SET_EXECUTABLE =
  'set AGENT_EXECUTABLE to the full path of claude (command -v claude), or leave it unset to use the CLI the Agent SDK ships';

/**
 * The executable the daemon would start: AGENT_EXECUTABLE (a path, or a name looked up on PATH),
 * else the platform package the Agent SDK depends on, found the way the SDK finds it.
 */
export function resolveAgentExecutable(config: AppConfig, ctx: DoctorContext): ResolvedExecutable {
  const configured = config.agent.executable;
  if (!configured) return bundledExecutable();
  if (configured.includes('/') || isAbsolute(configured)) {
    const path = resolve(configured);
    return isFile(path)
      ? { path }
      : { missing: `AGENT_EXECUTABLE ${path} does not exist`, fix: SET_EXECUTABLE };
  }
  for (const dir of (ctx.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const path = join(dir, configured);
    if (isFile(path)) return { path };
  }
  return { missing: `AGENT_EXECUTABLE "${configured}" is not on PATH`, fix: SET_EXECUTABLE };
}

function bundledExecutable(): ResolvedExecutable {
  const base = `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`;
  const name = process.platform === 'win32' ? 'claude.exe' : 'claude';
  const packages = process.platform === 'linux' ? [base, `${base}-musl`] : [base];
  for (const pkg of packages) {
    try {
      return { path: require.resolve(`${pkg}/${name}`) };
    } catch {
      // not installed; try the next
    }
  }
  return {
    missing: `the Agent SDK's own CLI (${base}) is not installed`,
    fix: 'run npm ci without --omit=optional, or set AGENT_EXECUTABLE to an installed claude',
  };
}

/** The executable exists, may be run, and answers `--version` in time. */
export async function checkAgentExecutable(
  executable: ResolvedExecutable,
  ctx: DoctorContext,
): Promise<CheckResult> {
  if ('missing' in executable) return fail(EXECUTABLE, executable.missing, executable.fix);
  const { path } = executable;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return fail(EXECUTABLE, `${path} is not executable`, `chmod +x ${path}`);
  }
  const run = await runProgram(ctx.clock, path, ['--version'], {
    env: agentEnvironment(ctx),
    timeoutMs: ctx.timeoutMs,
  });
  const version = run.stdout.trim().split('\n')[0];
  if (run.code === 0 && version) return pass(EXECUTABLE, `${path}, version ${version}`);
  const why = run.startError
    ? run.startError
    : run.timedOut
      ? `no answer within ${ctx.timeoutMs / 1000} s`
      : `exit ${run.code}${firstLine(run.stderr)}`;
  return fail(
    EXECUTABLE,
    `${path} --version failed (${why})`,
    `run ${path} --version yourself; ${SET_EXECUTABLE}`,
  );
}

/**
 * Whether the agent can reach a model: an API key, an OAuth token or a model server of one's own
 * in the environment, else the CLI's own `auth status`, else its credentials file. Never prints a
 * secret, only which variable or file holds it.
 */
export async function checkAgentLogin(
  executable: ResolvedExecutable,
  ctx: DoctorContext,
): Promise<CheckResult> {
  for (const name of ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN']) {
    if (ctx.env[name]?.trim()) return pass(LOGIN, `${name} is set`);
  }
  if (ctx.env.ANTHROPIC_BASE_URL?.trim()) {
    return pass(
      LOGIN,
      'ANTHROPIC_BASE_URL is set (a model server of your own; its login is not checked)',
    );
  }
  const fix =
    'run claude once as this user and /login, or set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN from claude setup-token) in .env';
  if ('path' in executable) {
    const run = await runProgram(ctx.clock, executable.path, ['auth', 'status', '--json'], {
      env: agentEnvironment(ctx),
      timeoutMs: ctx.timeoutMs,
    });
    const status = parseAuthStatus(run.stdout);
    if (status?.loggedIn === true)
      return pass(LOGIN, `logged in (${status.authMethod ?? 'claude auth status'})`);
    if (status?.loggedIn === false) return fail(LOGIN, 'not logged in (claude auth status)', fix);
  }
  const configDir = ctx.env.CLAUDE_CONFIG_DIR || join(ctx.env.HOME || homedir(), '.claude');
  const credentials = join(configDir, '.credentials.json');
  if (existsSync(credentials)) return pass(LOGIN, `credentials in ${credentials}`);
  return warn(
    LOGIN,
    `could not tell: no ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or ANTHROPIC_BASE_URL, no ${credentials}, and no answer from claude auth status`,
    fix,
  );
}

/** What the daemon gives the agent: its own environment, not marked as a nested session. */
function agentEnvironment(ctx: DoctorContext): Record<string, string | undefined> {
  return { ...ctx.env, CLAUDECODE: undefined };
}

function parseAuthStatus(stdout: string): { loggedIn?: unknown; authMethod?: string } | undefined {
  try {
    const parsed = JSON.parse(stdout) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0];
  return line ? `: ${line.slice(0, 200)}` : '';
}
