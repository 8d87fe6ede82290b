import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../../src/common/config';
import { defaultConcurrentTurns } from '../../../src/common/config/load-config';
import { makeTempDir } from '../../utils/temp-dir';
import { testEnvironment } from '../../utils/test-config';

describe('loadConfig', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  function problems(overrides: Record<string, string | undefined>): readonly string[] {
    try {
      loadConfig(testEnvironment(temp.path, overrides));
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('builds typed config with defaults from a minimal environment', () => {
    const projects = join(temp.path, 'projects');
    mkdirSync(projects, { recursive: true });
    const config = loadConfig({
      SIGNAL_ACCOUNT: '+15550100000',
      AUTHORIZED_SENDERS: '+15550100001, 3F2A1B4C-0D5E-4F60-8A7B-9C0D1E2F9C1E',
      PROJECT_ROOTS: projects,
    });
    expect(config).toEqual({
      dataDir: join(process.cwd(), 'data'),
      http: { host: '127.0.0.1', port: 8081 },
      database: { path: join(process.cwd(), 'data', 'bridge.sqlite'), busyTimeoutMs: 5000 },
      logging: { level: 'info', format: 'json' },
      signal: {
        transport: 'signal-cli',
        url: 'http://127.0.0.1:8080',
        account: '+15550100000',
        authorizedSenders: ['+15550100001', '3f2a1b4c-0d5e-4f60-8a7b-9c0d1e2f9c1e'],
        inboundRetentionHours: 72,
        reconnectJitter: false,
        restPingMs: 10_000,
        restPongTimeoutMs: 20_000,
      },
      sessions: { projectRoots: [projects], activityLogSize: 10 },
      agent: {
        executable: undefined, // the CLI the Agent SDK ships
        maxRetries: 2,
        turnTimeoutMs: 30 * 60_000,
        idleTimeoutMs: 300_000,
        stopGraceMs: 5000,
        progressEditMs: 5000,
        outputAttachmentBytes: 4000,
        uploadMaxBytes: 5000000,
        tempDir: join(process.cwd(), 'data', 'agent-tmp'),
        maxConcurrentTurns: defaultConcurrentTurns(),
        maxBudgetUsd: undefined,
        maxTurns: undefined,
        dailyBudgetUsd: undefined,
      },
      approvals: {
        timeoutMs: 600_000,
        readOnlyTools: ['Read', 'Glob', 'Grep', 'LS', 'TodoWrite', 'NotebookRead', 'BashOutput'],
        deny: [],
        highRiskCommands: ['dd', 'mkfs', 'fdisk', 'sfdisk', 'parted', 'wipefs', 'shred', 'mkswap'],
        protectedPaths: ['~/.ssh', '~/.aws', '~/.gnupg', '~/.netrc', '~/.config/gh'],
      },
      sandbox: { mode: 'auto', allowedDomains: [] },
      rateLimit: { perMinute: 30, burst: 5, backoffCapMs: 60_000, cooldownMs: 60_000 },
      outbox: { maxPending: 1000 },
      backups: { dir: join(process.cwd(), 'data', 'backups'), keep: 7, cron: '0 3 * * *' },
    });
  });

  it('reads every variable it documents', () => {
    const config = loadConfig(
      testEnvironment(temp.path, {
        NODE_ENV: 'development',
        LOG_LEVEL: 'debug',
        DATABASE_PATH: join(temp.path, 'other.sqlite'),
        DATABASE_BUSY_TIMEOUT_MS: '250',
        HTTP_HOST: '0.0.0.0',
        HTTP_PORT: '9000',
        SIGNAL_TRANSPORT: 'rest',
        SIGNAL_URL: 'http://localhost:8080/',
        AGENT_EXECUTABLE: '/opt/claude/bin/claude',
        ACTIVITY_LOG_SIZE: '25',
      }),
    );
    expect(config.logging).toEqual({ level: 'debug', format: 'pretty' });
    expect(config.database).toEqual({ path: join(temp.path, 'other.sqlite'), busyTimeoutMs: 250 });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(config.signal.transport).toBe('rest');
    expect(config.signal.url).toBe('http://localhost:8080');
    expect(config.agent.executable).toBe('/opt/claude/bin/claude');
    expect(config.sessions.activityLogSize).toBe(25);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig(testEnvironment(temp.path, { HTTP_PORT: '', LOG_LEVEL: '  ' }));
    expect(config.http.port).toBe(8081);
    expect(config.logging.level).toBe('info');
  });

  it('names each missing required variable', () => {
    expect(
      problems({
        SIGNAL_ACCOUNT: undefined,
        AUTHORIZED_SENDERS: undefined,
        PROJECT_ROOTS: undefined,
      }),
    ).toEqual([
      'SIGNAL_ACCOUNT: is required',
      'AUTHORIZED_SENDERS: is required',
      'PROJECT_ROOTS: is required',
    ]);
  });

  it('names an unknown transport', () => {
    expect(problems({ SIGNAL_TRANSPORT: 'carrier-pigeon' })).toEqual([
      'SIGNAL_TRANSPORT: must be one of "signal-cli", "rest" (got "carrier-pigeon")',
    ]);
  });

  it('names a budget that is not an amount, and one of nothing', () => {
    expect(problems({ AGENT_MAX_BUDGET_USD: 'lots' })).toEqual([
      'AGENT_MAX_BUDGET_USD: must be an amount in US dollars like 2.50 (got "lots")',
    ]);
    expect(problems({ AGENT_MAX_BUDGET_USD: '0' })).toEqual([
      'AGENT_MAX_BUDGET_USD: must be more than 0',
    ]);
  });

  it('names an unknown sandbox mode', () => {
    expect(problems({ SANDBOX: 'sometimes' })).toEqual([
      'SANDBOX: must be one of "auto", "on", "off" (got "sometimes")',
    ]);
  });

  it('names a malformed account number and each malformed sender', () => {
    expect(
      problems({ SIGNAL_ACCOUNT: '555-0100', AUTHORIZED_SENDERS: '+15550100001,bob,12345' }),
    ).toEqual([
      'SIGNAL_ACCOUNT: must be a phone number in international format like +15550100000 (got "555-0100")',
      'AUTHORIZED_SENDERS: "bob" is neither a phone number like +15550100000 nor an ACI UUID',
      'AUTHORIZED_SENDERS: "12345" is neither a phone number like +15550100000 nor an ACI UUID',
    ]);
  });

  it('names project roots that do not exist or are files', () => {
    const file = join(temp.path, 'a-file');
    writeFileSync(file, 'x');
    const missing = join(temp.path, 'nope');
    expect(problems({ PROJECT_ROOTS: `${missing},${file}` })).toEqual([
      `PROJECT_ROOTS: "${missing}" does not exist`,
      `PROJECT_ROOTS: "${file}" is not a directory`,
    ]);
  });

  it('stores project roots as real paths', () => {
    const real = join(temp.path, 'real-root');
    mkdirSync(real);
    const config = loadConfig(
      testEnvironment(temp.path, { PROJECT_ROOTS: `${real}/../real-root` }),
    );
    expect(config.sessions.projectRoots).toEqual([real]);
  });

  it('names bad numbers, levels and URLs all at once', () => {
    expect(
      problems({
        HTTP_PORT: '80a',
        DATABASE_BUSY_TIMEOUT_MS: '-1',
        ACTIVITY_LOG_SIZE: '0',
        LOG_LEVEL: 'loud',
        SIGNAL_URL: 'ftp://example.org',
      }),
    ).toEqual([
      'LOG_LEVEL: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud")',
      'DATABASE_BUSY_TIMEOUT_MS: must be a whole number (got "-1")',
      'HTTP_PORT: must be a whole number (got "80a")',
      'SIGNAL_URL: must be an http:// or https:// URL (got "ftp://example.org")',
      'ACTIVITY_LOG_SIZE: must be at least 1',
    ]);
  });

  it('reads the backup folder, how many to keep and when', () => {
    const config = loadConfig(
      testEnvironment(temp.path, {
        BACKUP_DIR: join(temp.path, 'safe', 'backups'),
        BACKUP_KEEP: '30',
        BACKUP_CRON: '15 2 * * 1-5',
      }),
    );
    expect(config.backups).toEqual({
      dir: join(temp.path, 'safe', 'backups'),
      keep: 30,
      cron: '15 2 * * 1-5',
    });
  });

  it('names a bad backup count, schedule and folder all at once', () => {
    const file = join(temp.path, 'backups-file');
    writeFileSync(file, 'x');
    expect(problems({ BACKUP_KEEP: '0', BACKUP_CRON: '61 3 * * *', BACKUP_DIR: file })).toEqual([
      `BACKUP_DIR: "${file}" is not a directory`,
      'BACKUP_KEEP: must be at least 1',
      'BACKUP_CRON: must be a cron expression (minute hour day month weekday) like "0 3 * * *" (got "61 3 * * *": field value (61) is out of range)',
    ]);
    expect(problems({ BACKUP_KEEP: 'all', BACKUP_CRON: 'nightly' })).toEqual([
      'BACKUP_KEEP: must be a whole number (got "all")',
      'BACKUP_CRON: must be a cron expression (minute hour day month weekday) like "0 3 * * *" (got "nightly": unknown alias: nig)',
    ]);
  });

  it('reads the REST ping period and pong timeout', () => {
    const config = loadConfig(
      testEnvironment(temp.path, { REST_PING_SECONDS: '5', REST_PONG_TIMEOUT_SECONDS: '12' }),
    );
    expect(config.signal).toMatchObject({ restPingMs: 5000, restPongTimeoutMs: 12_000 });
  });

  it('names a pong timeout no longer than the ping period, beside the other problems', () => {
    expect(problems({ REST_PING_SECONDS: '30', REST_PONG_TIMEOUT_SECONDS: '30' })).toEqual([
      'REST_PONG_TIMEOUT_SECONDS: must be longer than REST_PING_SECONDS (30), or a healthy link would count as dropped',
    ]);
    expect(problems({ REST_PONG_TIMEOUT_SECONDS: '8', HTTP_PORT: 'x' })).toEqual([
      'HTTP_PORT: must be a whole number (got "x")',
      'REST_PONG_TIMEOUT_SECONDS: must be longer than REST_PING_SECONDS (10), or a healthy link would count as dropped',
    ]);
    expect(problems({ REST_PING_SECONDS: '0', REST_PONG_TIMEOUT_SECONDS: '1' })).toEqual([
      'REST_PING_SECONDS: must be at least 1',
      'REST_PONG_TIMEOUT_SECONDS: must be at least 2',
    ]);
  });

  it('rejects a port above 65535', () => {
    expect(problems({ HTTP_PORT: '70000' })).toEqual(['HTTP_PORT: must be at most 65535']);
  });

  it('formats the error message as one line per problem', () => {
    const error = new ConfigError(['A: is required', 'B: must be a number']);
    expect(error.message).toBe(
      'Invalid configuration:\n  - A: is required\n  - B: must be a number',
    );
  });
});

describe('.env.example', () => {
  it('documents every variable loadConfig reads, and no other', () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', '.env.example'), 'utf8');
    const documented = [...text.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual([...CONFIG_VARIABLES].sort());
  });
});
