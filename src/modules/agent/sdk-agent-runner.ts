import { ChildProcess, spawn } from 'node:child_process';
import { Injectable, Logger } from '@nestjs/common';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import { AppConfig } from '../../common/config';
import { AgentEnvironment } from './agent-environment';
import { AgentSandbox } from './agent-sandbox.service';
import { toEvents, withImages } from './sdk-messages';
import { highRiskAsks, suggestedRule, toPermissionResult } from './sdk-permissions';
import { AgentEvent, AgentRun, AgentRunner, TurnRequest } from './agent-runner.port';

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
          maxBudgetUsd: turn.maxBudgetUsd,
          maxTurns: turn.maxTurns,
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
