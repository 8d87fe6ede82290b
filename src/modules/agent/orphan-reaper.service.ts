import { Injectable, Logger } from '@nestjs/common';
import { BootPhase, OnBoot } from '../../common/boot';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { SessionsService } from '../sessions';
import { ProcessTable } from './process-table.service';

/**
 * At boot: an agent whose turn a dead daemon was running may still be at work. Its recorded pid
 * is stopped (SIGTERM to its process group, SIGKILL after the grace period) — but only when that
 * pid still belongs to an agent process, since the system may have given it to someone else.
 */
@Injectable()
export class OrphanReaper {
  private readonly logger = new Logger(OrphanReaper.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly processes: ProcessTable,
  ) {}

  @OnBoot(BootPhase.Recovery)
  reap(): number {
    let killed = 0;
    for (const session of this.sessions.withAgentPid()) {
      const pid = session.agentPid as number;
      if (this.processes.isAgent(pid)) {
        this.processes.signalGroup(pid, 'SIGTERM');
        this.clock.schedule(() => {
          if (this.processes.isAgent(pid)) this.processes.signalGroup(pid, 'SIGKILL');
        }, this.config.agent.stopGraceMs);
        killed++;
        this.logger.warn({ msg: 'stopped an agent process a previous run left behind', pid });
      }
      this.sessions.setAgentPid(session.id, null);
    }
    return killed;
  }
}
