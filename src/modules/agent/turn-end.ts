import { Usage } from './turn-usage.repository';

export type TurnOutcome = 'success' | 'error' | 'stopped' | 'timeout' | 'crash';

/** Why a turn failed, for `bridge_agent_failures_total{cause}`. */
export type FailureCause =
  | 'not_logged_in'
  | 'overloaded'
  | 'model_server'
  | 'sandbox'
  | 'limit'
  | 'failed'
  | 'crash'
  | 'silent'
  | 'too_long'
  | 'approval_expired';

/** What a turn was asked and which project files it wrote (project-relative). */
export interface LastTurn {
  prompt: string;
  files: string[];
}

/** How a turn ended: the outcome, what the phone is told, and for a failure its cause. */
export interface TurnEnd {
  outcome: TurnOutcome;
  body: string;
  cause?: FailureCause;
  /** What the agent reported about the turn, when it did. */
  usage?: Usage;
}
