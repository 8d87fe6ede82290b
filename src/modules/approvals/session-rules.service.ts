import { Injectable } from '@nestjs/common';
import { SessionsService } from '../sessions';
import { matchesRule } from './tool-risk';

const KEY = 'alwaysAllow';

/** A session's "always" rules (`Bash(npm test:*)`, `Edit`), kept in its context across restarts. */
@Injectable()
export class SessionRules {
  constructor(private readonly sessions: SessionsService) {}

  async allows(
    sessionId: string,
    toolName: string,
    input: Record<string, unknown>,
  ): Promise<boolean> {
    return (await this.rules(sessionId)).some((rule) => matchesRule(rule, toolName, input));
  }

  /** Adds the rule that covers this call from now on; returns it. */
  async add(sessionId: string, toolName: string, input: Record<string, unknown>): Promise<string> {
    const rule =
      toolName === 'Bash' && typeof input.command === 'string'
        ? `Bash(${input.command}:*)`
        : toolName;
    const rules = await this.rules(sessionId);
    if (!rules.includes(rule))
      await this.sessions.updateContext(sessionId, { [KEY]: [...rules, rule] });
    return rule;
  }

  private async rules(sessionId: string): Promise<string[]> {
    const session = await this.sessions.find(sessionId);
    const rules = session?.context[KEY];
    return Array.isArray(rules) ? rules.map(String) : [];
  }
}
