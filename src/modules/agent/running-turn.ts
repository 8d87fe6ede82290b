import { Timer } from '../../common/clock';
import { Conversation } from '../../common/conversations';
import type { HeldMessage } from '../commands';
import { AgentRun, PromptImage } from './agent-runner.port';
import { TurnEnd } from './turn-end';

/** A prompt waiting for its session's turn. */
export interface TurnJob {
  sessionId: string;
  conversation: Conversation;
  prompt: string;
  images?: PromptImage[];
  /** The prompt's message: handled once its turn starts (or it is dropped and the phone told). */
  held?: HeldMessage;
}

/** One turn while it runs: what it was asked, its agent, its timers, what it has done so far. */
export interface RunningTurn {
  job: TurnJob;
  turnKey: string;
  /** When it started (ms, the injected clock). */
  startedAt: number;
  run?: AgentRun;
  /** Why the daemon is stopping this turn, once it is. */
  stopping?: TurnEnd;
  /** Approvals the turn is waiting for: silence then is not idleness. */
  asking: number;
  expiredApproval: boolean;
  /** The agent's latest words: in plan mode, the plan its ExitPlanMode asks to carry out. */
  lastText?: string;
  /** Files a writing tool call was made for, by call id, until it is done. */
  writing: Map<string, string>;
  /** Project-relative files the turn wrote (a writing call that succeeded). */
  written: Set<string>;
  /** The overall limit, the idle limit, and the escalation after an interrupt. */
  limit?: Timer;
  idle?: Timer;
  kills: Timer[];
  done: Promise<void>;
}

export function newTurn(job: TurnJob, turnKey: string, startedAt: number): RunningTurn {
  return {
    job,
    turnKey,
    startedAt,
    asking: 0,
    expiredApproval: false,
    writing: new Map(),
    written: new Set(),
    kills: [],
    done: Promise.resolve(),
  };
}
