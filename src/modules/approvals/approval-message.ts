import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';

const MAX_LINES = 40;

/** The tool through which the agent presents its plan in plan mode. */
export const PLAN_TOOL = 'ExitPlanMode';
const NEW_FILE_LINES = 12;

/** What a tool call will do, for a phone: the command, a diff, or a new file's first lines. */
export function describeToolCall(
  toolName: string,
  input: Record<string, unknown>,
  projectPath: string,
  said?: string,
): string {
  const path = typeof input.file_path === 'string' ? input.file_path : undefined;
  const shown = path ? displayPath(path, projectPath) : '';
  switch (toolName) {
    case 'Bash':
      return `Run: ${String(input.command ?? '')}`;
    case PLAN_TOOL:
      return `The plan (approving it lets Claude carry it out):\n${clip(String(input.plan ?? said ?? '(not stated)'))}`;
    case 'Edit': {
      const before = String(input.old_string ?? '');
      const after = String(input.new_string ?? '');
      const current = path ? readIfFile(resolve(projectPath, path)) : undefined;
      // Against the whole file when it is there: real line numbers and a little context.
      if (current !== undefined && current.includes(before)) {
        const changed = input.replace_all
          ? current.split(before).join(after)
          : current.replace(before, () => after);
        return `Edit ${shown}:\n${diff(shown, current, changed)}`;
      }
      return `Edit ${shown}:\n${diff(shown, before, after)}`;
    }
    case 'MultiEdit': {
      const edits = Array.isArray(input.edits) ? (input.edits as Record<string, unknown>[]) : [];
      const hunks = edits.map((e) =>
        diff(shown, String(e.old_string ?? ''), String(e.new_string ?? '')),
      );
      return `Edit ${shown} (${edits.length} changes):\n${clip(hunks.join('\n'))}`;
    }
    case 'Write': {
      const content = String(input.content ?? '');
      const absolute = path ? resolve(projectPath, path) : '';
      if (absolute && existsSync(absolute)) {
        return `Overwrite ${shown}:\n${diff(shown, readFileSync(absolute, 'utf8'), content)}`;
      }
      const lines = content.split('\n');
      const head = lines.slice(0, NEW_FILE_LINES).join('\n');
      const more =
        lines.length > NEW_FILE_LINES ? `\n… and ${lines.length - NEW_FILE_LINES} more lines` : '';
      return `Create ${shown} (new file, ${lines.length} lines):\n${head}${more}`;
    }
    default: {
      const json = JSON.stringify(input);
      return `${toolName}: ${json.length > 300 ? `${json.slice(0, 299)}…` : json}`;
    }
  }
}

/** The approval question as the phone shows it. */
export function approvalMessage(options: {
  id: number;
  project: string;
  toolName: string;
  description: string;
  /** Why it is high risk; null when it is not. */
  risk: string | null;
  /** The rule `/always` would add. */
  alwaysRule: string;
  /** What confines it when it runs (the sandbox, or its absence). */
  protection?: string;
}): string {
  const lines = [
    `Approval ${options.id} — ${options.toolName} in ${options.project}`,
    options.description,
  ];
  if (options.protection) lines.push(options.protection);
  if (options.toolName === PLAN_TOOL) {
    lines.push(
      `Answer /approve ${options.id} to carry it out asking before each change, /approve ${options.id} edits to let file edits run unasked, or /reject ${options.id} [what to change]; 👍 or 👎 (or reply yes/no) work too.`,
    );
  } else if (options.risk) {
    lines.push(
      `⚠️ High risk (${options.risk}): only /approve ${options.id} typed out approves this.`,
    );
    lines.push(`Answer /approve ${options.id} or /reject ${options.id} [reason].`);
  } else {
    lines.push(
      `Answer /approve ${options.id} or /reject ${options.id} [reason], 👍 or 👎 (or reply yes/no), /approve all for the rest of this turn, /always ${options.id} to allow ${options.alwaysRule} for this session.`,
    );
  }
  return lines.join('\n');
}

function readIfFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function displayPath(path: string, projectPath: string): string {
  const rel = relative(projectPath, resolve(projectPath, path));
  return rel.startsWith('..') ? path : rel;
}

function diff(name: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(
    name,
    name,
    ensureNewline(before),
    ensureNewline(after),
    '',
    '',
    {
      context: 2,
    },
  );
  // Everything before the first hunk is header (the path is already in the first line).
  const lines = patch.split('\n');
  const body = lines
    .slice(
      Math.max(
        0,
        lines.findIndex((line) => line.startsWith('@@')),
      ),
    )
    .filter((line) => line !== '\\ No newline at end of file');
  return clip(body.join('\n').trimEnd());
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

function clip(text: string): string {
  const lines = text.split('\n');
  if (lines.length <= MAX_LINES) return text;
  return `${lines.slice(0, MAX_LINES).join('\n')}\n… and ${lines.length - MAX_LINES} more lines`;
}
