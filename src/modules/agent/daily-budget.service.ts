import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { formatCost } from './turn-reporter.service';
import { TurnUsageRepository } from './turn-usage.repository';

/**
 * DAILY_BUDGET_USD: what every turn of the daemon may cost in a day, counted from what Claude
 * Code reported for each turn since local midnight (the process's `TZ`). At the cap a new
 * prompt is refused; a running turn goes on to its own cap, and approvals and /stop still work.
 */
@Injectable()
export class DailyBudget {
  constructor(
    private readonly usage: TurnUsageRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** The cap, or undefined when none is set. */
  get cap(): number | undefined {
    return this.config.agent.dailyBudgetUsd;
  }

  /** What the turns cost since local midnight. */
  spentToday(): number {
    return this.usage.costSince(this.midnight(0).toISOString());
  }

  /** The answer to a prompt at the cap; undefined while there is budget left (or no cap). */
  refusal(): string | undefined {
    const cap = this.cap;
    if (cap === undefined) return undefined;
    const spent = this.spentToday();
    if (spent < cap) return undefined;
    const resetIn = hoursAndMinutes(this.midnight(1).getTime() - this.clock.nowMs());
    return `Today's budget is spent: ${formatCost(spent)} of ${formatCost(cap)} (DAILY_BUDGET_USD). It resets at midnight, in ${resetIn}; raise DAILY_BUDGET_USD to go on now. Approvals and /stop still work.`;
  }

  /** The /usage line: spent and left today, when there is a cap. */
  summary(): string | undefined {
    const cap = this.cap;
    if (cap === undefined) return undefined;
    const spent = this.spentToday();
    return `Budget today (DAILY_BUDGET_USD): ${formatCost(spent)} of ${formatCost(cap)} spent, ${formatCost(Math.max(0, cap - spent))} left; it resets at midnight.`;
  }

  /** Local midnight, `days` after today's. */
  private midnight(days: number): Date {
    const now = this.clock.now();
    return new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  }
}

/** `3 h 5 min`, `12 min`: how long until the budget resets. */
function hoursAndMinutes(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}
