import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ChatCommand, ChatContext } from '../commands';
import { SessionsService } from '../sessions';
import { formatCost, formatDuration } from './turn-reporter.service';
import { DailyBudget } from './daily-budget.service';
import { TurnUsageRepository, UsageTotals } from './turn-usage.repository';

/** `/usage`: what Claude Code reported spending, for this conversation's session and for today. */
@Injectable()
export class UsageCommands {
  constructor(
    private readonly usage: TurnUsageRepository,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
    private readonly budget: DailyBudget,
  ) {}

  @ChatCommand({
    name: '/usage',
    summary: 'turns, time and cost of this session and of today',
    usage:
      'Totals of what Claude Code reported at the end of each turn: for the session here, and for every conversation today (UTC). Cost shows only when Claude Code reports it.',
  })
  show({ conversationKey }: ChatContext): string {
    const session = this.sessions.current(conversationKey);
    const today = this.clock.nowIso().slice(0, 10);
    const budget = this.budget.summary();
    return [
      session ? `This session: ${describe(this.usage.forSession(session.id))}` : 'No session here.',
      `Today (${today}, all conversations): ${describe(this.usage.forDay(today))}`,
      ...(budget ? [budget] : []),
    ].join('\n');
  }
}

function describe(totals: UsageTotals): string {
  const turns = `${totals.turns} turn${totals.turns === 1 ? '' : 's'}`;
  if (totals.turns === 0) return turns;
  const cost = totals.costUsd === null ? '' : `, ${formatCost(totals.costUsd)}`;
  return `${turns}, ${formatDuration(totals.durationMs)}${cost}`;
}
