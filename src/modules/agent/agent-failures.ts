import { AgentEvent } from './agent-runner.port';
import { FailureCause } from './turn-end';
import { formatCost } from './turn-reporter.service';

type ResultEvent = Extract<AgentEvent, { type: 'result' }>;

const NO_CONVERSATION = /No conversation found with session ID/i;

/** The agent could not resume: the Claude Code conversation it was given no longer exists. */
export function lostConversation(event: ResultEvent): boolean {
  return event.errors.some((e) => NO_CONVERSATION.test(e));
}

/** What the phone is told, once a turn, when Claude Code starts retrying the model server. */
export function retryNotice(event: Extract<AgentEvent, { type: 'retry' }>): string {
  const why = event.status === 401 ? 'refuses the login' : 'is failing';
  return `The model server ${why}; Claude Code is retrying (up to ${event.maxRetries} times).`;
}

/** Why a turn failed, in plain words and without addresses or keys, and its cause for metrics. */
export function explainFailure(event: ResultEvent): { cause: FailureCause; body: string } {
  const all = [event.text, ...event.errors].join('\n');
  if (
    event.apiErrorStatus === 401 ||
    /authentication|invalid api key|not logged in|\/login/i.test(all)
  ) {
    return {
      cause: 'not_logged_in',
      body: 'Claude Code is not logged in, or its API key is invalid. Log in with `claude` on the computer (or fix ANTHROPIC_API_KEY), then send the prompt again.',
    };
  }
  if (event.apiErrorStatus === 529 || /overloaded/i.test(all)) {
    return {
      cause: 'overloaded',
      body: 'The model server is overloaded: Claude Code gave up after its retries. Send the prompt again in a while.',
    };
  }
  if (event.apiErrorStatus !== null && event.apiErrorStatus >= 500) {
    return {
      cause: 'model_server',
      body: `The model server failed (HTTP ${event.apiErrorStatus}): Claude Code gave up after its retries. Send the prompt again in a while.`,
    };
  }
  if (/sandbox required but unavailable/i.test(all)) {
    return {
      cause: 'sandbox',
      body: "Claude Code's sandbox could not start, so nothing ran. `npm run doctor` on the computer shows what is missing; then send the prompt again.",
    };
  }
  if (event.subtype === 'error_max_turns') {
    return {
      cause: 'limit',
      body: 'Stopped: the turn reached its maximum number of steps (AGENT_MAX_TURNS). Send a prompt to go on from here.',
    };
  }
  if (event.subtype === 'error_max_budget_usd') {
    const spent = event.costUsd === null ? '' : ` after ${formatCost(event.costUsd)}`;
    return {
      cause: 'limit',
      body: `Stopped: the turn reached its cost budget${spent} (AGENT_MAX_BUDGET_USD). Send a prompt to go on from here.`,
    };
  }
  const detail = plain(event.errors[0] ?? event.text ?? '');
  return { cause: 'failed', body: detail ? `The turn failed: ${detail}` : 'The turn failed.' };
}

/** One line, no URLs. */
export function plain(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  const clean = line.replace(/https?:\/\/\S+/g, '(address hidden)').trim();
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}
