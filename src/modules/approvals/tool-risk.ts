import { isAbsolute, relative, resolve } from 'node:path';

export type ToolVerdict =
  { kind: 'allow' } | { kind: 'deny'; message: string } | { kind: 'ask'; highRisk: boolean };

export interface RiskPolicy {
  readOnlyTools: readonly string[];
  deny: readonly string[];
  /** The session's project folder: writes outside it are high risk. */
  projectPath: string;
}

/** Shell commands that can destroy work or leak secrets; never approved by a blanket answer. */
const HIGH_RISK_COMMANDS: readonly RegExp[] = [
  /\brm\s+(-[a-zA-Z]*r[a-zA-Z]*f|-[a-zA-Z]*f[a-zA-Z]*r|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)\b/,
  /\bgit\s+push\b.*(\s--force\b|\s-f\b|\s--force-with-lease\b|\s\+\S)/,
  /(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|z|da)?sh\b/,
  /~\/\.ssh|\$HOME\/\.ssh|\/\.ssh\//,
  /\.aws\/credentials|\.netrc\b|\.gnupg\b|\bid_(rsa|ed25519|ecdsa)\b/,
];

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

/**
 * Decides what happens to one tool call before anyone is asked: read-only tools run, configured
 * deny rules deny, everything else is asked, and some of it is marked high risk.
 */
export function classifyTool(
  toolName: string,
  input: Record<string, unknown>,
  policy: RiskPolicy,
): ToolVerdict {
  const denied = policy.deny.find((rule) => matchesRule(rule, toolName, input));
  if (denied) return { kind: 'deny', message: `Denied by the bridge's rule ${denied}.` };
  if (policy.readOnlyTools.includes(toolName)) return { kind: 'allow' };
  return { kind: 'ask', highRisk: isHighRisk(toolName, input, policy.projectPath) };
}

function isHighRisk(
  toolName: string,
  input: Record<string, unknown>,
  projectPath: string,
): boolean {
  if (toolName === 'Bash') {
    const command = typeof input.command === 'string' ? input.command : '';
    return HIGH_RISK_COMMANDS.some((pattern) => pattern.test(command));
  }
  if (FILE_TOOLS.has(toolName)) {
    const path = String(input.file_path ?? input.notebook_path ?? '');
    if (!path) return false;
    const absolute = resolve(projectPath, path);
    const rel = relative(projectPath, absolute);
    const outside = rel.startsWith('..') || isAbsolute(rel);
    return outside || HIGH_RISK_COMMANDS.slice(3).some((pattern) => pattern.test(absolute));
  }
  return false;
}

/** `Tool`, `Tool(exact input)` or `Bash(prefix:*)`, as Claude Code writes permission rules. */
export function matchesRule(
  rule: string,
  toolName: string,
  input: Record<string, unknown>,
): boolean {
  const match = /^([A-Za-z0-9_]+)(?:\((.*)\))?$/.exec(rule.trim());
  if (!match || match[1] !== toolName) return false;
  const content = match[2];
  if (content === undefined) return true;
  const subject = String(input.command ?? input.file_path ?? input.url ?? '');
  return content.endsWith(':*') ? subject.startsWith(content.slice(0, -2)) : subject === content;
}
