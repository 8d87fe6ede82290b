import { homedir, tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../common/config';
import { expandHome, isWithin as within } from '../../common/paths';
import { withShellParser } from './shell-parser';
import { ENV_FILE, ProtectedPath, shellRisk, ShellRiskPolicy } from './shell-risk';

/** Tools that write the file they name. */
export const FILE_WRITING_TOOLS: ReadonlySet<string> = new Set([
  'Write',
  'Edit',
  'MultiEdit',
  'NotebookEdit',
]);
/** Tools that read what their path names. */
const FILE_READING_TOOLS = new Set(['Read', 'Grep', 'Glob', 'LS', 'NotebookRead']);

/**
 * Which tool calls are high risk, and why in a few words: such a call is approved only by
 * `/approve <id>` typed out, never by `/approve all`, `/always` or a reaction. Shell commands are
 * parsed (`shellRisk`); file tools are judged by the path they name. What Claude Code's own rules
 * allow or deny is Claude Code's to match; this only adds the high-risk tier on top.
 */
@Injectable()
export class ToolRisk {
  private readonly logger = new Logger(ToolRisk.name);
  private readonly home = homedir();
  private readonly protectedPaths: ProtectedPath[];
  /** The shell judge's policy but for the project, built once (it is asked on every tool call). */
  private readonly shellPolicy: Omit<ShellRiskPolicy, 'projectPath'>;

  constructor(private readonly config: AppConfig) {
    this.protectedPaths = [
      ...config.approvals.protectedPaths.map((path) => ({
        path: resolve(expandHome(path, this.home)),
        name: path,
      })),
      { path: config.dataDir, name: "the bridge's data folder" },
      { path: config.backups.dir, name: "the bridge's backups" },
    ];
    this.shellPolicy = {
      home: this.home,
      tempPaths: [tmpdir(), '/tmp', config.agent.tempDir],
      protectedPaths: this.protectedPaths,
      agentTemp: config.agent.tempDir,
      highRiskCommands: config.approvals.highRiskCommands,
    };
  }

  /** Why the call is high risk, or null when it is ordinary. */
  async assess(
    toolName: string,
    input: Record<string, unknown>,
    projectPath: string,
  ): Promise<string | null> {
    if (toolName === 'Bash') {
      const command = typeof input.command === 'string' ? input.command : '';
      try {
        return await withShellParser((parse) =>
          shellRisk(command, { ...this.shellPolicy, projectPath }, parse),
        );
      } catch (error) {
        this.logger.warn({ msg: 'could not classify a command', error: String(error) });
        return 'cannot be parsed, so it cannot be checked';
      }
    }
    const path = input.file_path ?? input.notebook_path ?? input.path;
    if (typeof path !== 'string' || !path) return null;
    const writes = FILE_WRITING_TOOLS.has(toolName);
    if (!writes && !FILE_READING_TOOLS.has(toolName)) return null;
    const absolute = resolve(projectPath, path);
    if (!within(absolute, this.config.agent.tempDir)) {
      const hit = this.protectedPaths.find((p) => within(absolute, p.path));
      if (hit) return `touches ${hit.name}`;
    }
    if (ENV_FILE.test(basename(absolute))) return 'touches a .env file';
    if (writes && !within(absolute, projectPath)) return 'writes outside the project';
    return null;
  }
}
