import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/config';
import { SessionRules } from './session-rules.service';
import { ToolRisk } from './tool-risk';

/** What a turn hands Claude Code to match itself: allowed and denied permission rules. */
export interface PermissionRules {
  allowedTools: string[];
  disallowedTools: string[];
}

/**
 * The gate's policy: the rules Claude Code matches for a session (read-only tools and the
 * session's `/always` rules allowed, `APPROVAL_DENY` denied), and which calls are high risk.
 */
@Injectable()
export class ApprovalPolicy {
  constructor(
    private readonly rules: SessionRules,
    private readonly risk: ToolRisk,
    private readonly config: AppConfig,
  ) {}

  async permissionRules(sessionId: string): Promise<PermissionRules> {
    return {
      allowedTools: [...this.config.approvals.readOnlyTools, ...(await this.rules.list(sessionId))],
      disallowedTools: [...this.config.approvals.deny],
    };
  }

  /** Why this call is high risk, or null: such a call is asked even where a rule allows it. */
  highRisk(
    toolName: string,
    input: Record<string, unknown>,
    projectPath: string,
  ): Promise<string | null> {
    return this.risk.assess(toolName, input, projectPath);
  }

  /** A read-only tool that is not high risk runs unasked. */
  readOnly(toolName: string): boolean {
    return this.config.approvals.readOnlyTools.includes(toolName);
  }

  /** `/always`: the session allows what this rule covers from now on. */
  addRule(sessionId: string, rule: string): Promise<void> {
    return this.rules.add(sessionId, rule);
  }
}
