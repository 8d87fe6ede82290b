import { mkdirSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/config';

/**
 * The agent's environment: the daemon's own (so the user's Claude login, `ANTHROPIC_API_KEY` or
 * `ANTHROPIC_BASE_URL` reach it), with the CLI's temp folder under DATA_DIR and its retries
 * bounded. Tests override this provider to point the agent at the scripted model.
 */
@Injectable()
export class AgentEnvironment {
  private tmp?: string;

  constructor(private readonly config: AppConfig) {}

  variables(): Record<string, string | undefined> {
    // Made at the first turn, not at construction: the data folder is the database's to create.
    if (!this.tmp) {
      this.tmp = this.config.agent.tempDir;
      mkdirSync(this.tmp, { recursive: true });
    }
    return {
      ...process.env,
      CLAUDE_CODE_TMPDIR: this.tmp,
      CLAUDE_CODE_MAX_RETRIES: String(this.config.agent.maxRetries),
      CLAUDECODE: undefined, // a daemon started from inside Claude Code is not a nested session
    };
  }
}
