import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';

/**
 * The machine's processes, as the daemon needs them: whether a pid is a Claude Code agent, and
 * signalling its process group. Tests override it to inspect and kill nothing real.
 */
@Injectable()
export class ProcessTable {
  /** Whether `pid` is alive and its command line names Claude Code. */
  isAgent(pid: number): boolean {
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

  /** Signals the process group `pid` leads (the agent runs in its own), or the process alone. */
  signalGroup(pid: number, name: NodeJS.Signals): void {
    try {
      process.kill(-pid, name);
    } catch {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    }
  }
}
