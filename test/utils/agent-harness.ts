import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { AgentEnvironment } from '../../src/modules/agent';
import { ScriptedModelServer } from '../../src/model-sim/scripted-model-server';
import { createSignalApp, SignalTestApp } from './signal-harness';
import { CreateAppOptions } from './create-app';

export interface AgentTestApp extends SignalTestApp {
  model: ScriptedModelServer;
  /** The project folder `/new demo` binds. */
  project: string;
  /** The agent's HOME (its ~/.claude and ~/.claude.json). */
  home: string;
}

/**
 * The daemon with the real Claude Code CLI (the one the Agent SDK ships), pointed at the
 * scripted model server on loopback, with its own HOME (its sessions live there), over the
 * Signal simulator. App timers run on the fake clock; the agent runs in real time.
 */
export async function createAgentApp(
  options: CreateAppOptions & {
    transport?: 'signal-cli' | 'rest';
    /** The agent's PATH (default: the test's own). */
    agentPath?: string;
  } = {},
): Promise<AgentTestApp> {
  const model = new ScriptedModelServer();
  const url = await model.start();
  const home = mkdtempSync(join(tmpdir(), 'csb-agent-home-'));
  const environment = {
    variables: () => ({
      PATH: options.agentPath ?? process.env.PATH,
      HOME: home,
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_API_KEY: 'sk-test-not-a-real-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_TMPDIR: join(home, 'tmp'),
      CLAUDE_CODE_MAX_RETRIES: '2',
    }),
  };
  mkdirSync(join(home, 'tmp'));
  const t = await createSignalApp(options.transport ?? 'signal-cli', {
    ...options,
    env: {
      RATE_LIMIT_PER_MINUTE: '60000',
      RATE_LIMIT_BURST: '10000',
      // Claude Code's sandbox, required: a machine without bubblewrap fails loudly (.ci/run installs it).
      SANDBOX: 'on',
      ...options.env,
    },
    override: (b) => {
      const builder = b.overrideProvider(AgentEnvironment).useValue(environment);
      return options.override ? options.override(builder) : builder;
    },
  });
  const project = join(t.dir, 'projects', 'demo');
  mkdirSync(project, { recursive: true });
  return {
    ...t,
    model,
    project,
    home,
    close: async () => {
      await t.close();
      await model.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Waits for a real process (the agent CLI) to get somewhere: polls every 5 ms, up to 60 s.
 * Only for what runs outside the fake clock; the daemon's own time never waits on this.
 */
export async function untilAgent(
  condition: () => boolean | Promise<boolean>,
  what: string,
): Promise<void> {
  for (let i = 0; i < 12_000; i++) {
    if (await condition()) return;
    await delay(5);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A live progress message (verbosity normal) or a per-step one (verbose). */
export const isProgress = (text: string): boolean => /^(⏳ Working|✔ Finished|🔧 )/u.test(text);

/** A result's usage footer (`— 3 s · 2 model calls · $0.0123`), which the usage tests check. */
export const USAGE_FOOTER = /\n\n— \d+ (s|min \d+ s)( · \d+ model calls?)?( · \$\d+\.\d+)?$/;

/** New messages the phone got: edits of earlier ones and progress left out, usage footers cut. */
export function phoneTexts(t: Pick<SignalTestApp, 'sim'>): string[] {
  return t.sim.sent
    .filter((s) => s.editTimestamp === null && !isProgress(s.message))
    .map((s) => s.message.replace(USAGE_FOOTER, ''));
}

/** The last tool result the agent sent the model: what the tool printed, and whether it failed. */
export function lastToolResult(t: AgentTestApp): { text: string; isError: boolean } | undefined {
  const messages = (t.model.mainRequests.at(-1)?.body.messages ?? []) as {
    content: unknown;
  }[];
  for (const message of [...messages].reverse()) {
    if (!Array.isArray(message.content)) continue;
    const result = (message.content as Record<string, unknown>[])
      .filter((block) => block.type === 'tool_result')
      .at(-1);
    if (!result) continue;
    const content = result.content;
    const text = Array.isArray(content)
      ? (content as { text?: string }[]).map((c) => c.text ?? '').join('')
      : String(content ?? '');
    return { text, isError: result.is_error === true };
  }
  return undefined;
}

/** Whether a process with this pid is alive. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `bridge_agent_failures_total` by cause, as the metrics endpoint would show it. */
export async function agentFailures(t: SignalTestApp): Promise<Record<string, number>> {
  const metric = await t.app.get(Registry).getSingleMetric('bridge_agent_failures_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [v.labels.cause, v.value]));
}
