import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, ConfigEnvironment, loadConfig } from '../../src/common/config';

export const OWNER_NUMBER = '+15550100001';
export const BOT_ACCOUNT = '+15550100000';

/** A valid environment rooted in `dir` (data and one project root inside it). */
export function testEnvironment(dir: string, overrides: ConfigEnvironment = {}): ConfigEnvironment {
  const projects = join(dir, 'projects');
  mkdirSync(projects, { recursive: true });
  return {
    DATA_DIR: join(dir, 'data'),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    SIGNAL_ACCOUNT: BOT_ACCOUNT,
    // Nothing listens on the discard port: without a simulator, intake just retries quietly.
    SIGNAL_URL: 'http://127.0.0.1:9',
    AUTHORIZED_SENDERS: OWNER_NUMBER,
    PROJECT_ROOTS: projects,
    // Tests of the real agent turn it on (agent-harness); elsewhere /status reads the same anywhere.
    SANDBOX: 'off',
    // The default follows the machine's cores and memory; tests name it, so /status reads the same.
    AGENT_MAX_CONCURRENT_TURNS: '4',
    ...overrides,
  };
}

export function testConfig(dir: string, overrides: ConfigEnvironment = {}): AppConfig {
  return loadConfig(testEnvironment(dir, overrides));
}
