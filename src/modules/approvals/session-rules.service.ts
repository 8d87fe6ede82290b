import { Injectable } from '@nestjs/common';
import { SessionsService } from '../sessions';

const KEY = 'alwaysAllow';

/**
 * A session's "always" rules (`Bash(npm test *)`, `Edit`), kept in its context across restarts.
 * They are Claude Code permission rules: Claude Code matches them, handed over as allowed tools
 * at every turn, so a rule covers exactly what Claude Code's own matcher says it covers.
 */
@Injectable()
export class SessionRules {
  constructor(private readonly sessions: SessionsService) {}

  async list(sessionId: string): Promise<string[]> {
    const session = await this.sessions.find(sessionId);
    const rules = session?.context[KEY];
    return Array.isArray(rules) ? rules.map(String) : [];
  }

  async add(sessionId: string, rule: string): Promise<void> {
    const rules = await this.list(sessionId);
    if (!rules.includes(rule)) {
      await this.sessions.updateContext(sessionId, { [KEY]: [...rules, rule] });
    }
  }
}

/** The rule `/always` adds when Claude Code suggested none: the exact command, or the tool. */
export function fallbackRule(toolName: string, input: Record<string, unknown>): string {
  return toolName === 'Bash' && typeof input.command === 'string'
    ? `Bash(${input.command})`
    : toolName;
}
