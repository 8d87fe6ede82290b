import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, sep } from 'node:path';

/** A custom slash command or agent Claude Code would see for a project. */
export interface ClaudeCommand {
  kind: 'command' | 'agent';
  /** `/name` for a command (`dir:name` for one in a subfolder), `name` for an agent. */
  name: string;
  description: string;
  scope: 'project' | 'user';
}

/**
 * The custom commands (`.claude/commands/**.md`) and agents (`.claude/agents/*.md`) of the
 * project and of the user, read fresh each time (so the list follows the files as they change),
 * each with the `description` of its front matter, else its first line. A project entry hides a
 * user entry of the same name, as in Claude Code.
 */
export function claudeCommands(projectPath: string, home = homedir()): ClaudeCommand[] {
  const found = new Map<string, ClaudeCommand>();
  for (const scope of ['user', 'project'] as const) {
    const base = join(scope === 'project' ? projectPath : home, '.claude');
    for (const kind of ['command', 'agent'] as const) {
      const folder = join(base, kind === 'command' ? 'commands' : 'agents');
      for (const file of markdownFiles(folder, kind === 'command')) {
        const stem = relative(folder, file).replace(/\.md$/, '');
        const name = kind === 'command' ? stem.split(sep).join(':') : stem;
        found.set(`${kind}:${name}`, { kind, name, description: describe(file), scope });
      }
    }
  }
  return [...found.values()].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
}

function markdownFiles(folder: string, nested: boolean): string[] {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return nested ? markdownFiles(path, true) : [];
    return entry.isFile() && entry.name.endsWith('.md') ? [path] : [];
  });
}

function describe(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const front = /^---\n([\s\S]*?)\n---\n?/.exec(text);
  const description = front && /^description:\s*(.+)$/m.exec(front[1]);
  if (description) return description[1].trim().replace(/^(['"])(.*)\1$/, '$2');
  const body = front ? text.slice(front[0].length) : text;
  const first = body.split('\n').find((line) => line.trim());
  return (first ?? '').trim().slice(0, 100);
}
