import { ChildProcess, spawn } from 'node:child_process';
import { Injectable, Logger } from '@nestjs/common';
import type {
  HookCallbackMatcher,
  PermissionResult,
  PermissionUpdate,
  SDKMessage,
  SDKUserMessage,
  SpawnedProcess,
  SpawnOptions,
} from '@anthropic-ai/claude-agent-sdk';
import { AppConfig } from '../../common/config';
import { AgentEnvironment } from './agent-environment';
import { AgentSandbox } from './agent-sandbox.service';
import {
  AgentEvent,
  AgentRun,
  AgentRunner,
  PermissionAnswer,
  PromptImage,
  TurnRequest,
} from './agent-runner.port';

const STDERR_KEPT = 2000;

type AgentSdk = typeof import('@anthropic-ai/claude-agent-sdk');
let sdk: AgentSdk | undefined;

/**
 * The SDK, loaded on the first turn rather than at start-up: loading it takes about 0.2 s, a
 * fifth of the time from a crash to ready.
 */
function agentSdk(): AgentSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  return (sdk ??= require('@anthropic-ai/claude-agent-sdk') as AgentSdk);
}

/**
 * The agent runner on the official Claude Agent SDK. The daemon spawns the Claude Code CLI
 * itself (no shell, its own process group), so it knows the pid and can signal the whole group;
 * every tool the CLI's own rules do not settle is asked through `canUseTool`.
 */
@Injectable()
export class SdkAgentRunner extends AgentRunner {
  private readonly logger = new Logger(SdkAgentRunner.name);

  constructor(
    private readonly config: AppConfig,
    private readonly environment: AgentEnvironment,
    private readonly sandbox: AgentSandbox,
  ) {
    super();
  }

  start(turn: TurnRequest): AgentRun {
    let child: ChildProcess | undefined;
    let stderr = '';
    let exited!: () => void;
    const whenExited = new Promise<void>((resolve) => (exited = resolve));
    const abort = new AbortController();
    const sandbox = this.sandbox.settings();
    const stream = withoutShadowWarning(() =>
      agentSdk().query({
        prompt: turn.images?.length ? withImages(turn.prompt, turn.images) : turn.prompt,
        options: {
          cwd: turn.cwd,
          resume: turn.resume,
          permissionMode: turn.permissionMode,
          // The user's own Claude Code allow and deny rules hold, as at the desk.
          settingSources: ['user', 'project', 'local'],
          // Claude Code matches the rules itself, compound commands included.
          allowedTools: turn.allowedTools,
          disallowedTools: turn.disallowedTools,
          hooks: { PreToolUse: [highRiskAsks(turn)] },
          sandbox,
          env: this.environment.variables(),
          abortController: abort,
          pathToClaudeCodeExecutable: this.config.agent.executable,
          canUseTool: (toolName, input, options) =>
            turn
              .askPermission({
                toolName,
                input,
                toolUseId: options.toolUseID,
                suggestedRule: suggestedRule(options.suggestions),
                signal: options.signal,
              })
              .then(toPermissionResult),
          spawnClaudeCodeProcess: (options: SpawnOptions) => {
            child = spawn(options.command, options.args, {
              cwd: options.cwd,
              env: options.env,
              detached: true, // its own process group, signalled as one
              stdio: ['pipe', 'pipe', 'pipe'],
            });
            child.once('exit', () => exited());
            child.stderr?.on('data', (chunk: Buffer) => {
              stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
            });
            options.signal.addEventListener('abort', () => signalGroup(child, 'SIGTERM'), {
              once: true,
            });
            return child as unknown as SpawnedProcess; // stdio is piped, so the streams exist
          },
        },
      }),
    );
    const logger = this.logger;
    async function* events(): AsyncGenerator<AgentEvent> {
      let ended = false;
      try {
        for await (const message of stream) {
          for (const event of toEvents(message)) {
            if (event.type === 'result') ended = true;
            yield event;
          }
        }
      } catch (error) {
        // The SDK throws after a result that is an error; that result was already reported.
        if (!ended) {
          const why = error instanceof Error ? error.message : String(error);
          logger.warn({ msg: 'agent ended without a result', error: why, stderr });
          yield { type: 'crash', message: why };
          ended = true;
        }
      }
      if (!ended) yield { type: 'crash', message: 'the agent exited without a result' };
      if (!child) exited(); // it never started
    }
    return {
      events: events(),
      get pid() {
        return child?.pid;
      },
      sandboxed: sandbox !== undefined,
      get exited() {
        return !child || child.exitCode !== null || child.signalCode !== null;
      },
      whenExited,
      interrupt: async () => {
        await stream.interrupt().catch(() => undefined);
      },
      kill: (signal) => signalGroup(child, signal),
    };
  }
}

/**
 * Runs `start` without the SDK's warning that bare allowed tools (`Read`) skip `canUseTool`:
 * that is what the read-only list means, and the PreToolUse hook still screens those calls.
 */
function withoutShadowWarning<T>(start: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, options?: unknown) => {
    const code = (options as { code?: string } | undefined)?.code;
    if (code === 'CLAUDE_SDK_CAN_USE_TOOL_SHADOWED') return;
    (emit as (w: string | Error, o?: unknown) => void).call(process, warning, options);
  }) as typeof process.emitWarning;
  try {
    return start();
  } finally {
    process.emitWarning = emit;
  }
}

function signalGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal); // the group is gone already; make sure the CLI itself is
  }
}

interface ContentBlock {
  type: string;
  id?: string;
  name?: string;
  input?: unknown;
  text?: string;
  tool_use_id?: string;
  is_error?: boolean;
}

function toEvents(message: SDKMessage): AgentEvent[] {
  switch (message.type) {
    case 'system':
      if (message.subtype === 'init') return [{ type: 'init', sessionId: message.session_id }];
      if (message.subtype === 'api_retry') {
        return [
          {
            type: 'retry',
            attempt: message.attempt,
            maxRetries: message.max_retries,
            status: message.error_status ?? null,
          },
        ];
      }
      return [];
    case 'assistant': {
      const content = message.message.content as ContentBlock[];
      const tools = content.filter((block) => block.type === 'tool_use');
      if (tools.length === 0) {
        const text = content.find((block) => block.type === 'text')?.text;
        return text ? [{ type: 'text', text }] : [];
      }
      return tools.map((tool) => ({
        type: 'tool',
        id: tool.id ?? '',
        name: tool.name ?? 'tool',
        input: (tool.input ?? {}) as Record<string, unknown>,
      }));
    }
    case 'user': {
      const content = message.message.content;
      if (!Array.isArray(content)) return [];
      return (content as ContentBlock[])
        .filter((block) => block.type === 'tool_result' && block.tool_use_id)
        .map((block) => ({ type: 'tool_done', id: block.tool_use_id ?? '', ok: !block.is_error }));
    }
    case 'result': {
      const success = message.subtype === 'success';
      return [
        {
          type: 'result',
          ok: success && !message.is_error,
          subtype: message.subtype,
          sessionId: message.session_id ?? null,
          text: success ? message.result : '',
          errors: 'errors' in message && Array.isArray(message.errors) ? message.errors : [],
          apiErrorStatus:
            (message as { api_error_status?: number | null }).api_error_status ?? null,
          costUsd: message.total_cost_usd ?? null,
          durationMs: message.duration_ms ?? null,
          numTurns: message.num_turns ?? null,
        },
      ];
    }
    default:
      return [];
  }
}

/** The prompt as one user message whose content is the pictures, then the text. */
async function* withImages(prompt: string, images: PromptImage[]): AsyncGenerator<SDKUserMessage> {
  yield {
    type: 'user',
    parent_tool_use_id: null,
    message: {
      role: 'user',
      content: [
        ...images.map((image) => ({
          type: 'image' as const,
          source: {
            type: 'base64' as const,
            media_type: image.mediaType as 'image/png',
            data: image.data,
          },
        })),
        { type: 'text' as const, text: prompt },
      ],
    },
  };
}

/**
 * Our answer in the SDK's terms: a mode switch and an `/always` rule ride along as session
 * permission updates, so they hold for the rest of the running turn.
 */
function toPermissionResult(answer: PermissionAnswer): PermissionResult {
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
function suggestedRule(suggestions: PermissionUpdate[] | undefined): string | undefined {
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
function highRiskAsks(turn: TurnRequest): HookCallbackMatcher {
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
