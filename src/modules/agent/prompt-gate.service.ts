import { Injectable } from '@nestjs/common';
import { AgentSandbox } from './agent-sandbox.service';
import { DailyBudget } from './daily-budget.service';

/** What a prompt must pass before it is queued: a sandbox when one is required, and budget. */
@Injectable()
export class PromptGate {
  constructor(
    private readonly sandbox: AgentSandbox,
    private readonly budget: DailyBudget,
  ) {}

  /**
   * Undefined when the prompt may be queued; else the answer to it (the daily budget is spent).
   * Throws `SandboxError` with SANDBOX=on and no working sandbox (the prompt is kept for /retry).
   */
  async admit(): Promise<string | undefined> {
    await this.sandbox.ready();
    return this.budget.refusal();
  }
}
