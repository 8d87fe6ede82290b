import type {
  HookCallbackMatcher,
  PermissionResult,
  PermissionUpdate,
} from '@anthropic-ai/claude-agent-sdk';
import { PermissionAnswer, TurnRequest } from './agent-runner.port';

/**
 * Our answer in the SDK's terms: a mode switch and an `/always` rule ride along as session
 * permission updates, so they hold for the rest of the running turn.
 */
export function toPermissionResult(answer: PermissionAnswer): PermissionResult {
  if (answer.behavior === 'deny') return answer;
  const { updatedInput, mode, addRule } = answer;
  const updatedPermissions: PermissionUpdate[] = [];
  if (mode) updatedPermissions.push({ type: 'setMode', mode, destination: 'session' });
  const rule = addRule ? parseRule(addRule) : undefined;
  if (rule) {
    updatedPermissions.push({
      type: 'addRules',
      rules: [rule],
      behavior: 'allow',
      destination: 'session',
    });
  }
  if (updatedPermissions.length === 0) return { behavior: 'allow', updatedInput };
  return { behavior: 'allow', updatedInput, updatedPermissions };
}

/** `Bash(npm test *)` → its tool and content; `Edit` → the tool alone. */
function parseRule(rule: string): { toolName: string; ruleContent?: string } | undefined {
  const match = /^([A-Za-z0-9_]+)(?:\((.*)\))?$/s.exec(rule.trim());
  if (!match) return undefined;
  return match[2] === undefined
    ? { toolName: match[1] }
    : { toolName: match[1], ruleContent: match[2] };
}

/** The allow rule Claude Code suggests for a call, written as a rule (`Bash(npm test *)`). */
export function suggestedRule(suggestions: PermissionUpdate[] | undefined): string | undefined {
  for (const update of suggestions ?? []) {
    if (update.type !== 'addRules' || update.behavior !== 'allow') continue;
    const rule = update.rules[0];
    if (rule) return rule.ruleContent ? `${rule.toolName}(${rule.ruleContent})` : rule.toolName;
  }
  return undefined;
}

/**
 * Before each tool call: a high-risk call is sent to `canUseTool` ("ask") even when an allowed
 * rule covers it, so only the owner's typed approval runs it. A failure to judge asks too.
 */
export function highRiskAsks(turn: TurnRequest): HookCallbackMatcher {
  return {
    hooks: [
      async (input) => {
        if (input.hook_event_name !== 'PreToolUse') return {};
        const reason = await turn
          .screen(input.tool_name, (input.tool_input ?? {}) as Record<string, unknown>)
          .catch(() => 'cannot be checked');
        if (!reason) return {};
        return {
          hookSpecificOutput: {
            hookEventName: 'PreToolUse',
            permissionDecision: 'ask',
            permissionDecisionReason: `High risk: ${reason}`,
          },
        };
      },
    ],
  };
}
