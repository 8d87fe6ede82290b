import { Module } from '@nestjs/common';
import { ApprovalsModule } from '../approvals';
import { OutboxModule } from '../outbox';
import { SessionsModule } from '../sessions';
import { SignalModule } from '../signal';
import { AgentEnvironment } from './agent-environment';
import { AgentRunner } from './agent-runner.port';
import { OrphanReaper } from './orphan-reaper.service';
import { ProgressReporter } from './progress-reporter.service';
import { SdkAgentRunner } from './sdk-agent-runner';
import { SessionCommands } from './session.commands';
import { TurnReporter } from './turn-reporter.service';
import { TurnUsageRepository } from './turn-usage.repository';
import { TurnService } from './turn.service';
import { TurnsMetrics } from './turns.metrics';
import { UsageCommands } from './usage.commands';
import { ResultCommands } from './result.commands';
import { ProjectGit } from './project-git.service';
import { ClaudeCatalogCommands } from './claude-catalog.commands';
import { PhoneUploads } from './phone-uploads.service';
import { AgentSandbox } from './agent-sandbox.service';
import { DailyBudget } from './daily-budget.service';
import { PromptGate } from './prompt-gate.service';
import { StopLadder } from './stop-ladder.service';
import { ProcessTable } from './process-table.service';
import { TurnRunner } from './turn-runner.service';

/** Claude Code turns: the runner (Agent SDK), turns per session, and the session commands. */
@Module({
  imports: [SessionsModule, ApprovalsModule, OutboxModule, SignalModule],
  providers: [
    AgentEnvironment,
    AgentSandbox,
    DailyBudget,
    PromptGate,
    { provide: AgentRunner, useClass: SdkAgentRunner },
    TurnReporter,
    TurnUsageRepository,
    ProgressReporter,
    StopLadder,
    TurnRunner,
    TurnService,
    TurnsMetrics,
    SessionCommands,
    UsageCommands,
    ResultCommands,
    ProjectGit,
    ClaudeCatalogCommands,
    PhoneUploads,
    ProcessTable,
    OrphanReaper,
  ],
  exports: [TurnService],
})
export class AgentModule {}
