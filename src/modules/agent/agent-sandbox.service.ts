import { homedir } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import type { SandboxSettings } from '@anthropic-ai/claude-agent-sdk';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../common/config';
import { expandHome } from '../../common/paths';
import { StatusPart } from '../commands';
import { AgentEnvironment } from './agent-environment';
import { probeSandbox, SANDBOX_FIXES, SandboxProbeResult } from './sandbox-probe';
import { SandboxError } from './sandbox.errors';

/**
 * Claude Code's own sandbox for every command the agent runs (bubblewrap and socat on Linux,
 * Seatbelt on macOS): writes only inside the project and the agent's temp folder, the protected
 * paths and the daemon's data unreadable, network only to SANDBOX_ALLOWED_DOMAINS. SANDBOX=auto
 * uses it wherever it can start, `on` refuses prompts without it, `off` never uses it.
 */
const REPROBE_MS = 60_000;

@Injectable()
export class AgentSandbox {
  private readonly logger = new Logger(AgentSandbox.name);
  /** The last probe's answer; a working sandbox is not probed again. */
  private last?: SandboxProbeResult;
  /** When the last failed probe ran: with SANDBOX=auto it is repeated at most once a minute. */
  private failedAt = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly environment: AgentEnvironment,
    private readonly clock: Clock,
  ) {}

  /**
   * Before a prompt is taken: probes the machine (until the sandbox has worked once; with
   * SANDBOX=auto a failure is probed again after a minute, with `on` at every prompt, so a fix
   * is seen at the next /retry). With SANDBOX=on and no working sandbox it throws, and the
   * prompt is kept for /retry.
   */
  async ready(): Promise<void> {
    const mode = this.config.sandbox.mode;
    if (mode === 'off' || this.last?.ok) return;
    if (mode === 'auto' && this.last && this.clock.nowMs() - this.failedAt < REPROBE_MS) return;
    const result = await probeSandbox(this.environment.variables().PATH);
    if (!result.ok) this.failedAt = this.clock.nowMs();
    if (!result.ok && this.last?.ok !== false) {
      this.logger.warn({ msg: 'Claude Code sandbox unavailable', detail: result.detail });
    }
    this.last = result;
    if (!result.ok && this.config.sandbox.mode === 'on') {
      throw new SandboxError(result.problem, result.detail);
    }
  }

  /** The SDK's sandbox settings for a turn, or undefined when it runs without one. */
  settings(): SandboxSettings | undefined {
    const mode = this.config.sandbox.mode;
    if (mode === 'off' || (mode === 'auto' && !this.last?.ok)) return undefined;
    const home = this.environment.variables().HOME ?? homedir();
    const temp = this.config.agent.tempDir;
    return {
      enabled: true,
      // Enabled only where it works (auto) or must (on): never fall back to running unconfined.
      failIfUnavailable: true,
      autoAllowBashIfSandboxed: false,
      allowUnsandboxedCommands: false,
      network: { allowedDomains: [...this.config.sandbox.allowedDomains] },
      filesystem: {
        allowWrite: [temp],
        denyRead: [
          ...this.config.approvals.protectedPaths.map((path) => expandHome(path, home)),
          this.config.dataDir,
          this.config.backups.dir,
        ],
        allowRead: [temp],
      },
    };
  }

  @StatusPart(57)
  async status(): Promise<string> {
    const mode = this.config.sandbox.mode;
    if (mode === 'off') return 'Sandbox: off (SANDBOX=off)';
    await this.ready().catch(() => undefined);
    if (this.last?.ok) return 'Sandbox: on';
    const why = this.last ? `${this.last.detail}; to fix: ${SANDBOX_FIXES[this.last.problem]}` : '';
    return mode === 'on'
      ? `Sandbox: required but unavailable, so prompts are refused — ${why}`
      : `Sandbox: off — ${why}`;
  }
}
