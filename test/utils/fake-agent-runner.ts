import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AgentEvent,
  AgentRun,
  AgentRunner,
  PermissionAnswer,
  TurnRequest,
} from '../../src/modules/agent/agent-runner.port';
import { CreateAppOptions } from './create-app';
import { createSignalApp, SignalTestApp } from './signal-harness';

/** One turn the fake runner started, held until the test finishes it. */
export interface FakeTurn {
  request: TurnRequest;
  /** Ends the turn with a failed result of this subtype (`error_max_budget_usd`), costing `costUsd`. */
  fail(subtype: string, costUsd?: number): void;
  /** Ends the turn with a success result whose text is `text` (and the usage the agent reports). */
  finish(text: string, usage?: { durationMs: number; numTurns: number; costUsd: number }): void;
  /** Asks permission for a tool call, as the CLI does; settles with the daemon's answer. */
  ask(toolName: string, input: Record<string, unknown>): Promise<PermissionAnswer>;
  /** Every answer the daemon gave this turn, in order. */
  answers: PermissionAnswer[];
  /** Reports a tool call that ran, as the CLI does (the call, then its successful result). */
  tool(name: string, input: Record<string, unknown>): void;
  finished: boolean;
  interrupted: boolean;
}

/**
 * An AgentRunner for tests of the daemon's own logic (queues, stopping, approvals), with no
 * process: each turn asks what the test makes it ask, and waits until the test finishes it, or
 * ends as interrupted on `interrupt()`.
 */
export class FakeAgentRunner extends AgentRunner {
  readonly turns: FakeTurn[] = [];

  start(request: TurnRequest): AgentRun {
    const queue: AgentEvent[] = [];
    let wake: (() => void) | undefined;
    const push = (event: AgentEvent): void => {
      queue.push(event);
      wake?.();
    };
    const questions = new AbortController(); // the CLI cancels open questions on interrupt
    let tools = 0;
    const turn: FakeTurn = {
      request,
      interrupted: false,
      finished: false,
      answers: [],
      tool: (name, input) => {
        const id = `fake-tool-${++tools}`;
        push({ type: 'tool', id, name, input });
        push({ type: 'tool_done', id, ok: true });
      },
      ask: async (toolName, input) => {
        const answer = await request.askPermission({ toolName, input, signal: questions.signal });
        turn.answers.push(answer);
        return answer;
      },
      fail: (subtype, costUsd) => {
        if (turn.finished || turn.interrupted) return;
        turn.finished = true;
        push({ ...result(false, ''), subtype, costUsd: costUsd ?? null });
      },
      finish: (text, usage) => {
        if (turn.finished || turn.interrupted) return;
        turn.finished = true;
        push({ ...result(true, text), ...usage });
      },
    };
    this.turns.push(turn);
    let done = false;
    async function* events(): AsyncGenerator<AgentEvent> {
      yield { type: 'init', sessionId: `fake-${request.prompt}` };
      for (;;) {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const event = queue.shift() as AgentEvent;
        yield event;
        if (event.type === 'result') {
          done = true;
          return;
        }
      }
    }
    return {
      events: events(),
      pid: undefined,
      sandboxed: false,
      get exited() {
        return done;
      },
      whenExited: Promise.resolve(),
      interrupt: async () => {
        if (turn.finished || turn.interrupted) return;
        turn.interrupted = true;
        questions.abort();
        push(result(false, ''));
      },
      kill: () => undefined,
    };
  }
}

function result(ok: boolean, text: string): Extract<AgentEvent, { type: 'result' }> {
  return {
    type: 'result',
    ok,
    subtype: ok ? 'success' : 'error_during_execution',
    sessionId: null,
    text,
    errors: [],
    apiErrorStatus: null,
    costUsd: null,
    durationMs: null,
    numTurns: null,
  };
}

/** The daemon over the Signal simulator with a fake agent and a `demo` project folder. */
export async function createFakeAgentApp(
  options: CreateAppOptions = {},
  transport: 'signal-cli' | 'rest' = 'signal-cli',
): Promise<{ t: SignalTestApp; runner: FakeAgentRunner }> {
  const runner = new FakeAgentRunner();
  const t = await createSignalApp(transport, {
    ...options,
    override: (b) => b.overrideProvider(AgentRunner).useValue(runner),
  });
  mkdirSync(join(t.dir, 'projects', 'demo'), { recursive: true });
  return { t, runner };
}
