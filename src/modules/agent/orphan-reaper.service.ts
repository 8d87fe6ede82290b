import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { BootPhase, OnBoot } from '../../common/boot';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { SessionsService } from '../sessions';

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
  ) {}

  @OnBoot(BootPhase.Recovery)
  reap(): number {
    let killed = 0;
    for (const session of this.sessions.withAgentPid()) {
      const pid = session.agentPid as number;
      if (isAgentProcess(pid)) {
        signal(pid, 'SIGTERM');
        this.clock.schedule(() => {
          if (isAgentProcess(pid)) signal(pid, 'SIGKILL');
        }, this.config.agent.stopGraceMs);
        killed++;
        this.logger.warn({ msg: 'stopped an agent process a previous run left behind', pid });
      }
      this.sessions.setAgentPid(session.id, null);
    }
    return killed;
  }
}

/** Whether `pid` is alive and its command line names Claude Code. */
export function isAgentProcess(pid: number): boolean {
  let command: string;
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    try {
      command = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return false; // no such process
    }
  }
  return /claude/i.test(command);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pid, name); // the agent ran in its own process group
  } catch {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}
