import type { PermissionMode } from '../sessions';

export type { PermissionMode } from '../sessions';

/** The agent asks before running a tool; the answer decides whether it runs. */
export interface PermissionAsk {
  toolName: string;
  input: Record<string, unknown>;
  toolUseId?: string;
  /** The rule Claude Code suggests for allowing calls like this one, if it suggests one. */
  suggestedRule?: string;
  /** Aborts when the turn is interrupted: the question is moot. */
  signal: AbortSignal;
}

export type PermissionAnswer =
  | {
      behavior: 'allow';
      updatedInput: Record<string, unknown>;
      /** Switch the running agent to this mode (a plan approved to be carried out in it). */
      mode?: PermissionMode;
      /** Allow calls this rule covers for the rest of the turn (`/always`). */
      addRule?: string;
    }
  | { behavior: 'deny'; message: string; interrupt?: boolean };

/** A picture from the phone, passed to the model as image content of the prompt. */
export interface PromptImage {
  mediaType: string;
  /** Base64. */
  data: string;
}

export interface TurnRequest {
  prompt: string;
  /** Pictures sent with the prompt. */
  images?: PromptImage[];
  /** The project folder: the agent's working directory. */
  cwd: string;
  /** The agent's own session id to continue, if any. */
  resume?: string;
  permissionMode: PermissionMode;
  /** The turn stops once it has cost this much (US dollars). */
  maxBudgetUsd?: number;
  /** The turn stops after this many model calls. */
  maxTurns?: number;
  /** Permission rules the agent itself matches (`Read`, `Bash(npm test *)`): run unasked. */
  allowedTools: string[];
  /** Permission rules the agent itself matches and denies. */
  disallowedTools: string[];
  /**
   * Before every tool call: why it is high risk, or null. A high-risk call is asked through
   * `askPermission` even where an allowed rule covers it.
   */
  screen(toolName: string, input: Record<string, unknown>): Promise<string | null>;
  /** Called for every tool call the agent's own rules did not settle; may take as long as it likes. */
  askPermission(ask: PermissionAsk): Promise<PermissionAnswer>;
}

/** What a running turn reports, in order. Exactly one `result` or `crash` ends it. */
export type AgentEvent =
  | { type: 'init'; sessionId: string }
  | { type: 'tool'; id: string; name: string; input: Record<string, unknown> }
  /** A tool call finished: `ok` false when it failed or was denied. */
  | { type: 'tool_done'; id: string; ok: boolean }
  /** What the agent said (its plan, in plan mode). */
  | { type: 'text'; text: string }
  | { type: 'retry'; attempt: number; maxRetries: number; status: number | null }
  | {
      type: 'result';
      /** Success only when the agent said success and not an error. */
      ok: boolean;
      subtype: string;
      sessionId: string | null;
      text: string;
      errors: string[];
      apiErrorStatus: number | null;
      costUsd: number | null;
      durationMs: number | null;
      numTurns: number | null;
    }
  | { type: 'crash'; message: string };

export interface AgentRun {
  readonly events: AsyncIterable<AgentEvent>;
  /** The agent process's pid once it has started. */
  readonly pid: number | undefined;
  /** Asks the agent to stop the turn (it ends with a result). */
  interrupt(): Promise<void>;
  /** Signals the agent's process group (SIGTERM, then SIGKILL after a grace period). */
  kill(signal: NodeJS.Signals): void;
  /** Whether its commands run in Claude Code's sandbox. */
  readonly sandboxed: boolean;
  /** Whether the agent process has exited. */
  readonly exited: boolean;
  /** Resolves once the agent process has exited (at once if it never started). */
  readonly whenExited: Promise<void>;
}

/** Runs one turn of the coding agent. The adapter is the Agent SDK; tests may swap in a fake. */
export abstract class AgentRunner {
  abstract start(turn: TurnRequest): AgentRun;
}
